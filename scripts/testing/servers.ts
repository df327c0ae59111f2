import path from 'node:path';
import type { TestUserPool } from '@authstack/local-pool/testing';
import {
  getFreePort,
  startRestartableProcess,
  type RestartableProcess,
} from '@authstack/shared/testing';
import { REPO_ROOT } from '../stack/config';

/** A built server on a free port that a test or bench can restart on the same port. */
export interface ServerProcess extends RestartableProcess {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** `<base>/v1/api` */
  api: string;
}

export interface ServerOptions {
  /** The local pool's endpoint and the pool and client the server works with. */
  poolEndpoint: string;
  userPool: Pick<TestUserPool, 'userPoolId' | 'clientId'> & { clientSecret?: string };
  /** STATE_DATABASE_URL; omitted = no state store. */
  stateDatabaseUrl?: string;
  /** Any other variables; they win over the defaults. */
  env?: Record<string, string>;
}

async function startServer(
  workspace: 'auth-server' | 'resource-server',
  env: Record<string, string>,
): Promise<ServerProcess> {
  const port = await getFreePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startRestartableProcess({
    script: path.join(REPO_ROOT, workspace, 'dist', 'server.js'),
    env: { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info', ...env },
    readyUrl: `${base}/readyz`,
    readyTimeoutMs: 60_000,
  });
  return Object.assign(server, { base, api: `${base}/v1/api` });
}

function commonEnv(options: ServerOptions): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    COGNITO_ENDPOINT: options.poolEndpoint,
    USER_POOL_ID: options.userPool.userPoolId,
    USER_POOL_CLIENT_ID: options.userPool.clientId,
    ...(options.userPool.clientSecret
      ? { USER_POOL_CLIENT_SECRET: options.userPool.clientSecret }
      : {}),
    ...(options.stateDatabaseUrl ? { STATE_DATABASE_URL: options.stateDatabaseUrl } : {}),
  };
}

/** The built auth-server (auto sign-up confirmation), ready when /readyz answers 200. */
export function startAuthServer(options: ServerOptions): Promise<ServerProcess> {
  return startServer('auth-server', {
    ...commonEnv(options),
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    SIGNUP_CONFIRMATION: 'auto',
    ...options.env,
  });
}

/** The built resource-server, verifying the local pool's tokens, ready when /readyz answers 200. */
export function startResourceServer(options: ServerOptions): Promise<ServerProcess> {
  return startServer('resource-server', {
    ...commonEnv(options),
    ALLOW_INSECURE_JWKS: 'true',
    ...options.env,
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** One JSON request; the body parsed (empty object for an empty answer). */
export async function call(
  method: string,
  url: string,
  options: { body?: unknown; token?: string } = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}
