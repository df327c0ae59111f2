import path from 'node:path';
import { getFreePort, startProcess, type StartedProcess } from '@authstack/shared/testing';

const AUTH_SERVER = path.resolve(__dirname, '../../../auth-server/dist/server.js');

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
  const port = await getFreePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startProcess({
    script: AUTH_SERVER,
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      AWS_REGION: 'us-east-1',
      COGNITO_ENDPOINT: options.cognitoEndpoint,
      USER_POOL_ID: options.userPoolId,
      USER_POOL_CLIENT_ID: options.clientId,
      ...(options.clientSecret ? { USER_POOL_CLIENT_SECRET: options.clientSecret } : {}),
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      SIGNIN_MAX_FAILURES_PER_IP: '0',
      SIGNIN_MAX_FAILURES_PER_EMAIL: '0',
      ACCOUNT_MAX_REQUESTS_PER_IP: '0',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    readyUrl: `${url}/readyz`,
  });
  return { url, process: child };
}
