import type { StartedProcess } from '@authstack/shared/testing';
import { startAuthServer as startBuiltAuthServer } from '../../../scripts/testing/servers';

export interface RunningAuthServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`; the API is under `/v1/api`. */
  url: string;
  process: StartedProcess;
}

/**
 * Starts the built auth-server in front of a (local) user pool, with the sign-in rate
 * limits off: migration tests and benchmarks fail or repeat many sign-ins from one address.
 * `env` overrides any variable (a test that wants a limit on sets it here).
 */
export async function startAuthServer(options: {
  cognitoEndpoint: string;
  userPoolId: string;
  clientId: string;
  clientSecret?: string;
  env?: Record<string, string>;
}): Promise<RunningAuthServer> {
  const server = await startBuiltAuthServer({
    poolEndpoint: options.cognitoEndpoint,
    userPool: {
      userPoolId: options.userPoolId,
      clientId: options.clientId,
      ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    },
    env: {
      SIGNIN_MAX_FAILURES_PER_IP: '0',
      SIGNIN_MAX_FAILURES_PER_EMAIL: '0',
      ACCOUNT_MAX_REQUESTS_PER_IP: '0',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
  return { url: server.base, process: server.process };
}
