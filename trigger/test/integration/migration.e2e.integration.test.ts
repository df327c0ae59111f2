/**
 * The whole chain, every part real and running as its own process:
 * auth-server → local pool (Cognito API) → Lambda Invoke API → trigger → legacy Postgres.
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
  invocationLines,
  freshLegacyDatabase,
  startTriggerInvokeServer,
  type FreshLegacyDatabase,
  type TriggerInvokeServer,
} from '../../src/testing';
import { startAuthServer } from '../support/auth-server';

interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
}

/** The log lines of one trigger process saying it migrated `email`. */
function migrations(process: StartedProcess, email: string): number {
  const user = maskIdentifier(email);
  return process
    .stdoutLines()
    .filter((line) => line.includes('"msg":"user migrated"') && line.includes(`"user":"${user}"`))
    .length;
}

function decodeJwt(token: unknown): Record<string, unknown> {
  const payload = String(token).split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Lets a child process flush the log lines of what it just did. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

describe('lazy migration of legacy users, end to end', () => {
  let db: FreshLegacyDatabase;
  let trigger: TriggerInvokeServer;
  let pool: LocalPool;
  let userPool: TestUserPool;
  let auth: StartedProcess;
  let api: string;

  const call = async (
    method: string,
    route: string,
    body?: unknown,
    token?: string,
  ): Promise<ApiResponse> => {
    const response = await fetch(`${api}/v1/api${route}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
  const signIn = (email: string, password: string) =>
    call('POST', '/user/signin', { email, password });
  const usersInPool = async (email: string) => {
    const listed = await pool.client.send(
      new ListUsersCommand({ UserPoolId: userPool.userPoolId, Filter: `email = "${email}"` }),
    );
    return listed.Users ?? [];
  };
  const withoutRequestId = (body: Record<string, unknown>) => {
    const error = body.error as Record<string, unknown>;
    return { ...error, requestId: typeof error.requestId };
  };

  beforeAll(async () => {
    db = await freshLegacyDatabase();
    trigger = await startTriggerInvokeServer({ legacyDatabaseUrl: db.url });
    pool = await startLocalPool({ lambdaEndpoint: trigger.endpoint });
    userPool = await createTestUserPool(pool, { userMigrationLambdaArn: trigger.functionArn });
    const authServer = await startAuthServer({
      cognitoEndpoint: pool.endpoint,
      userPoolId: userPool.userPoolId,
      clientId: userPool.clientId,
      ...(userPool.clientSecret ? { clientSecret: userPool.clientSecret } : {}),
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

  it('migrates a legacy user on their first sign-in: tokens come back and /user/me shows the legacy name', async () => {
    expect(await usersInPool('legacy@example.com')).toHaveLength(0);
    const signedIn = await signIn('legacy@example.com', 'Legacy-Passw0rd!');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({
      idToken: expect.any(String),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
    });
    expect(decodeJwt(signedIn.body.idToken)).toMatchObject({
      email: 'legacy@example.com',
      name: 'Legacy User',
    });

    const me = await call('GET', '/user/me', undefined, String(signedIn.body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: 'legacy@example.com', name: 'Legacy User' });
    expect(await usersInPool('legacy@example.com')).toEqual([
      expect.objectContaining({ UserStatus: 'CONFIRMED', Enabled: true }),
    ]);
    await settle();
    expect(migrations(trigger.process, 'legacy@example.com')).toBe(1);
  });

  it('does not invoke the trigger on a later sign-in', async () => {
    await settle();
    const before = invocationLines(trigger).length;
    const again = await signIn('LEGACY@example.com', 'Legacy-Passw0rd!');
    expect(again.status).toBe(200);
    await settle();
    expect(invocationLines(trigger).length).toBe(before);
    expect(await usersInPool('legacy@example.com')).toHaveLength(1);
  });

  it('answers a wrong legacy password with the same 401 as any bad password, and creates nobody', async () => {
    const wrongLegacy = await signIn('legacy.argon@example.com', 'Wrong-Passw0rd-1!');
    const unknown = await signIn('nobody@example.com', 'Wrong-Passw0rd-1!');
    const wrongPoolUser = await signIn('legacy@example.com', 'Wrong-Passw0rd-1!');
    for (const answer of [wrongLegacy, unknown, wrongPoolUser]) expect(answer.status).toBe(401);
    expect(withoutRequestId(wrongLegacy.body)).toEqual(withoutRequestId(wrongPoolUser.body));
    expect(withoutRequestId(unknown.body)).toEqual(withoutRequestId(wrongPoolUser.body));
    expect(await usersInPool('legacy.argon@example.com')).toHaveLength(0);

    const right = await signIn('legacy.argon@example.com', 'Legacy-Argon2-Passw0rd!');
    expect(right.status).toBe(200);
    expect(decodeJwt(right.body.idToken)).toMatchObject({ name: 'Argon User' });
  });

  it('migrates a legacy user in forgot-password, delivers a reset code, and the new password then works', async () => {
    const email = 'legacy.reset@example.com';
    const forgot = await call('POST', '/user/password/forgot', { email });
    expect(forgot.status).toBe(202);
    expect(await usersInPool(email)).toEqual([
      expect.objectContaining({ UserStatus: 'RESET_REQUIRED' }),
    ]);
    const [message] = await readOutbox(pool.endpoint, email);
    expect(message).toMatchObject({ to: email, code: expect.stringMatching(/^\d{6}$/) });

    const reset = await call('POST', '/user/password/reset', {
      email,
      code: message?.code,
      newPassword: 'Brand-New-Passw0rd!',
    });
    expect(reset.status).toBe(204);
    await settle();
    const before = invocationLines(trigger).length;
    expect((await signIn(email, 'Brand-New-Passw0rd!')).status).toBe(200);
    expect((await signIn(email, 'Legacy-Reset-Passw0rd!')).status).toBe(401);
    await settle();
    expect(invocationLines(trigger).length).toBe(before);
    expect(await usersInPool(email)).toEqual([
      expect.objectContaining({ UserStatus: 'CONFIRMED' }),
    ]);
  });

  it('migrates a legacy password that breaks the pool policy as reset-required, then the reset flow finishes it', async () => {
    const email = 'legacy.weak@example.com';
    const weak = await signIn(email, 'password');
    expect(weak.status).toBe(403);
    expect(weak.body).toEqual({
      error: expect.objectContaining({ code: 'password_reset_required' }),
    });
    expect(await usersInPool(email)).toEqual([
      expect.objectContaining({ UserStatus: 'RESET_REQUIRED' }),
    ]);

    expect((await call('POST', '/user/password/forgot', { email })).status).toBe(202);
    const [message] = await readOutbox(pool.endpoint, email);
    const reset = await call('POST', '/user/password/reset', {
      email,
      code: message?.code,
      newPassword: 'Now-A-Strong-Passw0rd!',
    });
    expect(reset.status).toBe(204);
    expect((await signIn(email, 'Now-A-Strong-Passw0rd!')).status).toBe(200);
    await settle();
    expect(migrations(trigger.process, email)).toBe(1);
  });

  it('answers 503 (not a wrong password) while the trigger is down, and migrates the user exactly once when it is back', async () => {
    const email = 'legacy.php@example.com';
    await trigger.stop();
    const down = await signIn(email, 'Legacy-Php-Passw0rd!');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ error: expect.objectContaining({ code: 'upstream_unavailable' }) });
    expect(await usersInPool(email)).toHaveLength(0);
    // Users already in the pool are unaffected.
    expect((await signIn('legacy@example.com', 'Legacy-Passw0rd!')).status).toBe(200);

    await trigger.restart();
    const back = await signIn(email, 'Legacy-Php-Passw0rd!');
    expect(back.status).toBe(200);
    expect((await signIn(email, 'Legacy-Php-Passw0rd!')).status).toBe(200);
    await settle();
    expect(migrations(trigger.process, email)).toBe(1);
    expect(await usersInPool(email)).toHaveLength(1);
  });

  it('fails sign-in cleanly while the trigger hangs, and the user ends up in the pool exactly once', async () => {
    const email = 'legacy.mixed@example.com';
    const password = 'Legacy-Mixed-Passw0rd!';
    const frozen = trigger.process.child;
    frozen.kill('SIGSTOP');
    let slow: ApiResponse;
    try {
      slow = await signIn(email, password);
    } finally {
      frozen.kill('SIGCONT');
    }
    // The auth-server's upstream deadline (3 s) passes before the pool's 5 s per attempt.
    expect(slow.status).toBe(503);
    expect(slow.body).toEqual({
      error: {
        code: 'upstream_unavailable',
        message: expect.any(String),
        requestId: expect.any(String),
      },
    });

    // The trigger works off what queued while it was frozen; a client retries a 503 as told.
    let back = await signIn(email, password);
    for (let retry = 0; back.status === 503 && retry < 5; retry += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      back = await signIn(email, password);
    }
    expect(back.status).toBe(200);
    const again = await signIn(email, password);
    expect(decodeJwt(again.body.idToken).sub).toBe(decodeJwt(back.body.idToken).sub);
    expect(await usersInPool(email)).toHaveLength(1);
  });
});
