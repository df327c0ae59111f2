/**
 * The legacy user store down and back, every part real and running as its own process:
 * auth-server → local pool (Cognito API) → Lambda Invoke API → trigger → legacy Postgres,
 * which the test stops (its process ends, Postgres with it) and starts again.
 */
import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { maskIdentifier } from '@authstack/shared';
import type { StartedProcess } from '@authstack/shared/testing';
import {
  createTestUserPool,
  readOutbox,
  startLocalPool,
  type LocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import {
  startLegacyDatabase,
  startTriggerInvokeServer,
  type LegacyDatabase,
  type TriggerInvokeServer,
} from '../../src/testing';
import { startAuthServer } from '../support/auth-server';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

const LEGACY = { email: 'legacy@example.com', password: 'Legacy-Passw0rd!' };
const LEGACY_RESET = 'legacy.reset@example.com';
/** The auth-server's failed sign-in limits in this file: a 401 counted this often gives 429. */
const MAX_FAILURES = 3;

async function fetchAnswer(url: string, init?: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** The log lines of one trigger process saying it migrated `email`. */
function migrations(process: StartedProcess, email: string): number {
  const user = maskIdentifier(email);
  return process
    .stdoutLines()
    .filter((line) => line.includes('"msg":"user migrated"') && line.includes(`"user":"${user}"`))
    .length;
}

/** Lets a child process flush the log lines of what it just did. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

function expectLegacyStoreUnavailable(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(answer.headers.get('retry-after')).toBe('5');
  expect(answer.body).toEqual({
    error: {
      code: 'upstream_unavailable',
      message: 'The legacy user store is unavailable; try again shortly.',
      requestId: answer.headers.get('x-request-id'),
    },
  });
}

describe('the legacy user store down, end to end', () => {
  let db: LegacyDatabase;
  let trigger: TriggerInvokeServer;
  let pool: LocalPool;
  let userPool: TestUserPool;
  let auth: StartedProcess;
  let api: string;

  const call = (route: string, body: unknown) =>
    fetchAnswer(`${api}/v1/api${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const signIn = (email: string, password: string) => call('/user/signin', { email, password });
  const forgotPassword = (email: string) => call('/user/password/forgot', { email });
  const triggerProbe = (route: '/readyz' | '/health') => fetchAnswer(`${trigger.endpoint}${route}`);
  const usersInPool = async (email: string) => {
    const listed = await pool.client.send(
      new ListUsersCommand({ UserPoolId: userPool.userPoolId, Filter: `email = "${email}"` }),
    );
    return listed.Users ?? [];
  };

  beforeAll(async () => {
    db = await startLegacyDatabase();
    trigger = await startTriggerInvokeServer({ legacyDatabaseUrl: db.url });
    pool = await startLocalPool({ lambdaEndpoint: trigger.endpoint });
    userPool = await createTestUserPool(pool, { userMigrationLambdaArn: trigger.functionArn });
    const authServer = await startAuthServer({
      cognitoEndpoint: pool.endpoint,
      userPoolId: userPool.userPoolId,
      clientId: userPool.clientId,
      ...(userPool.clientSecret ? { clientSecret: userPool.clientSecret } : {}),
      env: {
        SIGNIN_MAX_FAILURES_PER_EMAIL: String(MAX_FAILURES),
        SIGNIN_MAX_FAILURES_PER_IP: String(MAX_FAILURES),
        // A loaded CI machine must not turn a slow first migration into the 503 under test.
        UPSTREAM_TIMEOUT_MS: '15000',
      },
    });
    auth = authServer.process;
    api = authServer.url;
  });
  afterAll(async () => {
    await auth?.stop();
    await pool?.stop();
    await trigger?.stop();
    await db?.stop();
  });

  it('reports the trigger ready while the legacy store answers', async () => {
    const ready = await triggerProbe('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', legacyStore: 'up' });
  });

  describe('while the legacy Postgres is stopped', () => {
    beforeAll(async () => {
      await db.halt();
    });

    it('answers a legacy sign-in with the right password 503 upstream_unavailable + Retry-After, never 401, and never 429 however often it is tried', async () => {
      for (let attempt = 1; attempt <= MAX_FAILURES * 2; attempt += 1) {
        expectLegacyStoreUnavailable(await signIn(LEGACY.email, LEGACY.password));
      }
      expect(await usersInPool(LEGACY.email)).toEqual([]);
    });

    it('answers forgot-password 503 (not 202) and sends no code', async () => {
      expectLegacyStoreUnavailable(await forgotPassword(LEGACY_RESET));
      expect(await readOutbox(pool.endpoint, LEGACY_RESET)).toEqual([]);
      expect(await usersInPool(LEGACY_RESET)).toEqual([]);
    });

    it('turns the trigger not ready (house error body), while it stays alive', async () => {
      const ready = await triggerProbe('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toEqual(expect.stringMatching(/^\d+$/));
      expect(ready.body).toEqual({
        error: {
          code: 'upstream_unavailable',
          message: 'The legacy user store cannot be reached.',
          requestId: ready.headers.get('x-request-id'),
        },
      });
      expect((await triggerProbe('/health')).status).toBe(200);
    });

    it('logs the fault in the trigger, never the password', async () => {
      await settle();
      const output = trigger.process.output();
      expect(output).toContain('"msg":"legacy user store unavailable"');
      expect(output).not.toContain(LEGACY.password);
    });
  });

  describe('once the legacy Postgres is back', () => {
    beforeAll(async () => {
      await db.start();
    });

    it('reports the trigger ready again', async () => {
      expect((await triggerProbe('/readyz')).status).toBe(200);
    });

    it('signs the same user in (the 503s counted for nothing) and migrates them exactly once', async () => {
      const signedIn = await signIn(LEGACY.email, LEGACY.password);
      expect({ status: signedIn.status, error: signedIn.body.error }).toEqual({
        status: 200,
        error: undefined,
      });
      expect(signedIn.body).toMatchObject({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        tokenType: 'Bearer',
      });
      expect(await usersInPool(LEGACY.email)).toEqual([
        expect.objectContaining({ UserStatus: 'CONFIRMED' }),
      ]);
      await settle();
      expect(migrations(trigger.process, LEGACY.email)).toBe(1);
    });

    it('migrates on forgot-password and delivers the code', async () => {
      expect((await forgotPassword(LEGACY_RESET)).status).toBe(202);
      const [message] = await readOutbox(pool.endpoint, LEGACY_RESET);
      expect(message).toMatchObject({ to: LEGACY_RESET, code: expect.stringMatching(/^\d{6}$/) });
      expect(await usersInPool(LEGACY_RESET)).toEqual([
        expect.objectContaining({ UserStatus: 'RESET_REQUIRED' }),
      ]);
    });

    it('answers a wrong legacy password 401 invalid_credentials again', async () => {
      const wrong = await signIn('legacy.argon@example.com', 'Wrong-Passw0rd-1!');
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({
        error: expect.objectContaining({ code: 'invalid_credentials' }),
      });
    });
  });
});
