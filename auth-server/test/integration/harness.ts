import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  type AdminGetUserCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { createLogger, Lifecycle } from '@authstack/shared';
import { createStatePool, RevocationStore } from '@authstack/shared/state-store';
import { LogCapture } from '@authstack/shared/testing';
import type {
  LocalPool,
  LocalPoolHandle,
  SharedLocalPool,
  TestUserPool,
} from '@authstack/local-pool/testing';
import type { Express } from 'express';
import request from 'supertest';
import { createCognitoClient } from '../../src/adapters/cognito-client';
import { CognitoUserPool } from '../../src/adapters/cognito-user-pool';
import { buildApp, type AppSettings, type StateStoreDeps } from '../../src/app';
import type { MfaMode } from '../../src/domain/multi-factor';
import { PoolStatus } from '../../src/domain/pool-status';

export type { LocalPool, LocalPoolHandle, SharedLocalPool, TestUserPool };

export const API = '/v1/api';

/** The Authorization header of a bearer token, for `.set(...)`. */
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
export const PASSWORD = 'Correct-Horse-9!';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Limits high enough that only the rate-limit tests ever meet them. */
export const NO_LIMITS: AppSettings['rateLimits'] = {
  windowMs: 60_000,
  signInFailuresPerEmail: 0,
  signInFailuresPerIp: 0,
  accountRequestsPerIp: 0,
  mfaFailuresPerSession: 0,
  mfaFailuresPerUser: 0,
};

export interface AppOptions {
  confirmation?: 'auto' | 'code';
  /** MFA_MODE; `optional` when omitted. */
  mfaMode?: MfaMode;
  rateLimits?: AppSettings['rateLimits'];
  trustProxy?: number;
  /** Where the app's SDK client sends its calls; the pool itself when omitted. */
  endpoint?: string;
  timeoutMs?: number;
  statusTtlMs?: number;
  /** The shared state store (`connectStateStore`); without it limits count per process. */
  stateStore?: StateStoreDeps;
}

export interface TestApp {
  app: Express;
  logs: LogCapture;
  lifecycle: Lifecycle;
}

let counter = 0;
/** A fresh, never-used email address (upper case in it on purpose: emails are normalised). */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${Date.now()}.${counter}@Example.com`;
}

/** The auth-server app over a real SDK client that talks to `userPool` (on `pool`, or `endpoint`). */
export function createApp(
  pool: LocalPoolHandle,
  userPool: TestUserPool,
  options: AppOptions = {},
): TestApp {
  const logs = new LogCapture();
  const logger = createLogger({ name: 'auth-server', level: 'debug', destination: logs });
  const timeoutMs = options.timeoutMs ?? 3_000;
  const client = createCognitoClient({
    region: 'us-east-1',
    endpoint: options.endpoint ?? pool.endpoint,
    timeoutMs,
    credentials: LOCAL_CREDENTIALS,
  });
  const userPoolAdapter = new CognitoUserPool({
    client,
    userPoolId: userPool.userPoolId,
    clientId: userPool.clientId,
    clientSecret: userPool.clientSecret,
    timeoutMs,
  });
  const lifecycle = new Lifecycle();
  const app = buildApp({
    pool: userPoolAdapter,
    stateStore: options.stateStore,
    status: new PoolStatus(userPoolAdapter, { ttlMs: options.statusTtlMs ?? 2_000 }),
    logger,
    lifecycle,
    settings: {
      stage: 'v1',
      signUpConfirmation: options.confirmation ?? 'auto',
      mfa: { mode: options.mfaMode ?? 'optional', issuer: 'authstack-test' },
      adminGroup: 'admin',
      trustProxy: options.trustProxy ?? 0,
      rateLimits: options.rateLimits ?? NO_LIMITS,
    },
  });
  return { app, logs, lifecycle };
}

/**
 * Connections to a state store (`startStateDatabase`), as server.ts makes them, with a
 * short deadline so a store that is down fails fast. `db.end()` them after the file.
 */
export function connectStateStore(url: string): StateStoreDeps {
  const logger = createLogger({ name: 'auth-server', level: 'silent' });
  const db = createStatePool(url, {
    applicationName: 'auth-server-test',
    logger,
    timeoutMs: 1_000,
  });
  return { db, revocations: new RevocationStore({ pool: db, maxTokenLifetimeSeconds: 3_600 }) };
}

export interface SignedUp {
  email: string;
  password: string;
  name: string;
  sub: string;
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

/** Signs a new user up through the API (auto confirmation) and returns the tokens. */
export async function signUp(
  app: Express,
  email = uniqueEmail(),
  password = PASSWORD,
): Promise<SignedUp> {
  const name = 'Test User';
  const response = await request(app).post(`${API}/user`).send({ email, name, password });
  if (response.status !== 201) {
    throw new Error(`sign-up answered ${response.status}: ${JSON.stringify(response.body)}`);
  }
  const body = response.body as Omit<SignedUp, 'email' | 'password' | 'name'>;
  return { ...body, email, password, name };
}

/** `POST /user/signin` with these credentials, to await or chain `.expect` on. */
export function signInRequest(app: Express, email: string, password: string): request.Test {
  return request(app).post(`${API}/user/signin`).send({ email, password });
}

export async function makeAdmin(
  pool: LocalPoolHandle,
  userPool: TestUserPool,
  email: string,
): Promise<void> {
  await pool.client.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: userPool.userPoolId,
      Username: email,
      GroupName: 'admin',
    }),
  );
}

export async function adminGetUser(
  pool: LocalPoolHandle,
  userPool: TestUserPool,
  email: string,
): Promise<AdminGetUserCommandOutput | 'not found'> {
  try {
    return await pool.client.send(
      new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: email.toLowerCase() }),
    );
  } catch (error) {
    if ((error as Error).name === 'UserNotFoundException') return 'not found';
    throw error;
  }
}

/**
 * Marks the user's email verified at the pool, as if its owner had proved it: an auto-mode
 * sign-up leaves it unverified, and Cognito sends password-reset codes to verified
 * addresses only.
 */
export async function markEmailVerified(
  pool: LocalPoolHandle,
  userPool: TestUserPool,
  email: string,
): Promise<void> {
  await pool.client.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: userPool.userPoolId,
      Username: email.toLowerCase(),
      UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
    }),
  );
}

/** A user created by an administrator with a temporary password (FORCE_CHANGE_PASSWORD). */
export async function createInvitedUser(
  pool: LocalPoolHandle,
  userPool: TestUserPool,
  email: string,
  temporaryPassword: string,
): Promise<void> {
  await pool.client.send(
    new AdminCreateUserCommand({
      UserPoolId: userPool.userPoolId,
      Username: email.toLowerCase(),
      TemporaryPassword: temporaryPassword,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email.toLowerCase() },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: 'Invited User' },
      ],
    }),
  );
}

/** A request with the method given as data (for tests run once per method). */
export function send(
  app: Express,
  method: 'get' | 'post' | 'put' | 'delete',
  url: string,
): request.Test {
  const agent = request(app);
  return { get: agent.get, post: agent.post, put: agent.put, delete: agent.delete }[method].call(
    agent,
    url,
  );
}

/** The body without its request id, to compare two error answers. */
export function withoutRequestId(body: { error?: Record<string, unknown> }): unknown {
  const { requestId: _id, ...error } = body.error ?? {};
  return { ...body, error };
}
