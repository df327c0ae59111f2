import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { createConfirmedUser } from '@authstack/local-pool';
import {
  createTestUserPool,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { createLogger } from '@authstack/shared';
import { LOCAL_STATE_DB, createStatePool, RevocationStore } from '@authstack/shared/state-store';
import {
  getFreePort,
  startRestartableProcess,
  startStateDatabase,
  type RestartableProcess,
  type StartedProcess,
  type StateDatabase,
} from '@authstack/shared/testing';

const SERVER = path.join(__dirname, '../../dist/server.js');
const PASSWORD = 'Revocation-Passw0rd!';
const MAX_STALENESS_SECONDS = 3;

interface Tokens {
  idToken: string;
  accessToken: string;
}

interface ResourceServer extends RestartableProcess {
  origin: string;
}

let db: StateDatabase;
let localPool: SharedLocalPool;
let userPool: TestUserPool;
let statePool: Pool;
let store: RevocationStore;
let server: ResourceServer;
/** Every resource-server process started, to check their logs at the end. */
const processes: StartedProcess[] = [];
/** Every token handed out, which must never appear in a log line. */
const issued: string[] = [];
const subs = new Map<string, string>();

async function createUser(email: string, groups: string[] = []): Promise<void> {
  const created = await createConfirmedUser(localPool.client, userPool.userPoolId, {
    email,
    password: PASSWORD,
    groups,
  });
  subs.set(email, created.sub);
}

const subOf = (email: string): string => subs.get(email) ?? '';

async function signIn(email: string): Promise<Tokens> {
  const { AuthenticationResult: result } = await localPool.client.send(
    new InitiateAuthCommand({
      ClientId: userPool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD },
    }),
  );
  const tokens = { idToken: result?.IdToken ?? '', accessToken: result?.AccessToken ?? '' };
  issued.push(tokens.idToken, tokens.accessToken);
  return tokens;
}

/** A sign-in whose tokens are issued at or after `notBefore` (seconds), as the auth-server's are. */
async function signInAfter(email: string, notBefore: number): Promise<Tokens> {
  const wait = notBefore * 1000 - Date.now();
  if (wait > 0) await sleep(wait + 5);
  return signIn(email);
}

const originJtiOf = (token: string): string =>
  (
    JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      origin_jti: string;
    }
  ).origin_jti;

async function startResourceServer(
  env: Record<string, string> = {},
  { waitForReady = true } = {},
): Promise<ResourceServer> {
  const port = await getFreePort();
  const origin = `http://127.0.0.1:${port}`;
  const running = await startRestartableProcess({
    script: SERVER,
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      USER_POOL_ID: userPool.userPoolId,
      USER_POOL_CLIENT_ID: userPool.clientId,
      COGNITO_ENDPOINT: localPool.issuerBase,
      ALLOW_INSECURE_JWKS: 'true',
      STATE_DATABASE_URL: db.url,
      REVOCATION_MAX_STALENESS_SECONDS: String(MAX_STALENESS_SECONDS),
      LOG_LEVEL: 'info',
      ...env,
    },
    // Ready only once the revocations are loaded (fail-closed until then).
    ...(waitForReady ? { readyUrl: `${origin}/readyz` } : { readyLine: /"msg":"listening"/ }),
    readyTimeoutMs: 30_000,
  });
  processes.push(running.process);
  const restart = running.restart;
  return Object.assign(running, {
    origin,
    async restart() {
      await restart();
      processes.push(running.process);
    },
  });
}

interface Answer {
  status: number;
  code: string | undefined;
  message: string | undefined;
  retryAfter: string | null;
  wwwAuthenticate: string | null;
  body: Record<string, unknown>;
}

async function get(target: ResourceServer, route: string, token?: string): Promise<Answer> {
  const res = await fetch(`${target.origin}${route}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const body = (await res.json()) as Record<string, unknown> & {
    error?: { code: string; message: string };
  };
  return {
    status: res.status,
    code: body.error?.code,
    message: body.error?.message,
    retryAfter: res.headers.get('retry-after'),
    wwwAuthenticate: res.headers.get('www-authenticate'),
    body,
  };
}

const me = (target: ResourceServer, token: string) => get(target, '/v1/api/users/me', token);

/** Polls until `check` holds; returns the ms it took, or throws after `ms`. */
async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(50);
  }
  return Date.now() - started;
}

function expectRevoked(answer: Answer): void {
  expect(answer).toMatchObject({
    status: 401,
    code: 'invalid_token',
    message: 'The token has been revoked.',
    wwwAuthenticate: 'Bearer realm="authstack", error="invalid_token"',
  });
}

beforeAll(async () => {
  // Not migrated: the resource-server creates the schema itself.
  [db, localPool] = await Promise.all([startStateDatabase(), sharedLocalPool()]);
  userPool = await createTestUserPool(localPool);
  await createUser('ada@example.com', ['admin']);
  await createUser('max@example.com');
  await createUser('gus@example.com', ['admin']);
  server = await startResourceServer();
  const logger = createLogger({ name: 'revocation-test', level: 'silent' });
  statePool = createStatePool(db.url, { applicationName: 'revocation-test', logger });
  store = new RevocationStore({ pool: statePool, maxTokenLifetimeSeconds: 3600 });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await statePool?.end();
  await localPool?.stop();
  await db?.stop();
});

describe('resource-server with revocations from a real state store', () => {
  let adaOld: Tokens;
  let adaLater: Tokens;
  let maxOtherDevice: Tokens;
  let maxRevokedDevice: Tokens;

  it('created the state store schema itself and reports the live copy on /readyz', async () => {
    expect(server.process.output()).toContain('"msg":"state store schema migrated"');
    const ready = await get(server, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.revocations).toMatchObject({
      state: 'live',
      entries: 0,
      mode: 'fail-closed',
      stalenessMs: expect.any(Number),
    });
  });

  it('refuses the old ID and access tokens after a user revocation; a later sign-in passes', async () => {
    adaOld = await signIn('ada@example.com');
    expect((await me(server, adaOld.idToken)).status).toBe(200);
    expect((await me(server, adaOld.accessToken)).status).toBe(200); // both now cached

    const notBefore = await store.revokeUser(subOf('ada@example.com'));
    await within(2000, 'the revocation reaches the server', async () => {
      return (await me(server, adaOld.idToken)).status === 401;
    });
    expectRevoked(await me(server, adaOld.idToken));
    expectRevoked(await me(server, adaOld.accessToken));
    expectRevoked(await get(server, '/v1/api/admin/overview', adaOld.idToken));

    adaLater = await signInAfter('ada@example.com', notBefore);
    expect((await me(server, adaLater.idToken)).status).toBe(200);
    expect((await me(server, adaLater.accessToken)).status).toBe(200);
    expect((await get(server, '/v1/api/admin/overview', adaLater.idToken)).status).toBe(200);
  });

  it('refuses every token of one sign-in after a session revocation, and no other', async () => {
    maxRevokedDevice = await signIn('max@example.com');
    maxOtherDevice = await signIn('max@example.com');
    expect((await me(server, maxRevokedDevice.idToken)).status).toBe(200);

    await store.revokeSession(originJtiOf(maxRevokedDevice.accessToken));
    await within(2000, 'the session revocation reaches the server', async () => {
      return (await me(server, maxRevokedDevice.idToken)).status === 401;
    });
    expectRevoked(await me(server, maxRevokedDevice.accessToken));
    expect((await me(server, maxOtherDevice.idToken)).status).toBe(200);
    expect((await me(server, maxOtherDevice.accessToken)).status).toBe(200);
  });

  it('answers 403 on the admin route to tokens issued before removal from admin', async () => {
    const gus = await signIn('gus@example.com');
    expect((await get(server, '/v1/api/admin/overview', gus.idToken)).status).toBe(200);

    await store.revokeGroup(subOf('gus@example.com'), 'admin');
    await within(2000, 'the group removal reaches the server', async () => {
      return (await get(server, '/v1/api/admin/overview', gus.idToken)).status === 403;
    });
    const denied = await get(server, '/v1/api/admin/overview', gus.accessToken);
    expect(denied).toMatchObject({ status: 403, code: 'forbidden' });
    const profile = await me(server, gus.idToken);
    expect(profile.status).toBe(200);
    expect(profile.body.groups).toEqual([]);
  });

  it('still refuses them after a restart, from a full reload', async () => {
    const before = server.process;
    await server.restart();
    expect(await before.exited).toBe(0); // the feed was stopped on SIGTERM, cleanly
    expect(server.process.output()).not.toContain('"msg":"state store schema migrated"');
    expectRevoked(await me(server, adaOld.idToken));
    expectRevoked(await me(server, adaOld.accessToken));
    expectRevoked(await me(server, maxRevokedDevice.idToken));
    expect((await me(server, adaLater.idToken)).status).toBe(200);
    expect((await me(server, maxOtherDevice.accessToken)).status).toBe(200);
    const ready = await get(server, '/readyz');
    expect(ready.body.revocations).toMatchObject({ state: 'live', entries: 3 });
  });

  it('serves from its copy when the store crashes, fails closed past the bound, recovers on its own', async () => {
    await db.crash();
    const crashedAt = Date.now();
    expect((await me(server, adaLater.idToken)).status).toBe(200);
    expectRevoked(await me(server, adaOld.idToken));

    let refused: Answer | undefined;
    await within(MAX_STALENESS_SECONDS * 1000 + 5000, 'the server fails closed', async () => {
      refused = await me(server, adaLater.idToken);
      return refused.status !== 200;
    });
    const refusedAfterMs = Date.now() - crashedAt;
    // The last proof of currency was about a heartbeat (1 s) before the crash at most.
    expect(refusedAfterMs).toBeGreaterThanOrEqual(1000);
    expect(refused).toMatchObject({
      status: 503,
      code: 'revocation_unavailable',
      retryAfter: '5',
    });
    expectRevoked(await me(server, adaOld.idToken)); // a known revocation is still a 401
    const notReady = await get(server, '/readyz');
    expect(notReady).toMatchObject({ status: 503, code: 'revocation_unavailable' });
    const staleness = /last confirmed current (\d+\.\d) s ago .*feed disconnected/.exec(
      notReady.message ?? '',
    );
    expect(Number(staleness?.[1])).toBeGreaterThanOrEqual(MAX_STALENESS_SECONDS);
    const messages = () =>
      server.process.stdoutLines().map((line) => (JSON.parse(line) as { msg: string }).msg);
    // The monitor looks once a second: it says so while the copy is too stale.
    await within(2000, 'the refusal is logged', async () =>
      messages().includes(
        'revocation list too stale: protected routes answer 503 revocation_unavailable',
      ),
    );

    await db.start();
    const tookMs = await within(5000, 'the server recovers', async () => {
      return (await me(server, adaLater.idToken)).status === 200;
    });
    expect(tookMs).toBeLessThan(5000);
    expect((await get(server, '/readyz')).body.revocations).toMatchObject({ state: 'live' });

    const notBefore = await store.revokeUser(subOf('max@example.com'));
    await within(2000, 'a revocation recorded after recovery reaches the server', async () => {
      return (await me(server, maxOtherDevice.idToken)).status === 401;
    });
    expectRevoked(await me(server, maxOtherDevice.accessToken));
    const maxLater = await signInAfter('max@example.com', notBefore);
    expect((await me(server, maxLater.idToken)).status).toBe(200);

    expect(messages()).toContain(
      'revocation feed lost the state store; serving from the last copy and reconnecting',
    );
    // The monitor looks once a second.
    await within(2000, 'the recovery is logged', async () =>
      messages().includes('revocation list live again: protected routes served'),
    );
  });

  it('keeps serving while the store is down with REVOCATION_FAIL_OPEN=true', async () => {
    const open = await startResourceServer({ REVOCATION_FAIL_OPEN: 'true' });
    try {
      // Fail-open answers ready at once; the store goes down once the copy is live.
      await within(15_000, 'the fail-open copy is live', async () => {
        const ready = await get(open, '/readyz');
        return (ready.body.revocations as { state: string }).state === 'live';
      });
      expect((await get(open, '/readyz')).body.revocations).toMatchObject({ mode: 'fail-open' });
      await db.crash();
      await within(
        MAX_STALENESS_SECONDS * 1000 + 5000,
        'the copy goes past the bound',
        async () => {
          const ready = await get(open, '/readyz');
          const { stalenessMs } = ready.body.revocations as { stalenessMs: number };
          return ready.status === 200 && stalenessMs > MAX_STALENESS_SECONDS * 1000;
        },
      );
      expect((await me(open, adaLater.idToken)).status).toBe(200);
      expect((await get(open, '/v1/api/admin/overview', adaLater.accessToken)).status).toBe(200);
      expectRevoked(await me(open, adaOld.idToken));
      expect((await get(open, '/readyz')).body.revocations).toMatchObject({
        state: 'disconnected',
        mode: 'fail-open',
      });
      // The fail-closed server, meanwhile, refuses (its last heartbeat may be a little later).
      await within(2000, 'the fail-closed server refuses', async () => {
        return (await me(server, adaLater.idToken)).status === 503;
      });
    } finally {
      await open.stop();
      await db.start();
    }
  });

  it('starts while the store is down, fails closed until the first load, then serves', async () => {
    await db.crash();
    const late = await startResourceServer({}, { waitForReady: false });
    try {
      const notReady = await get(late, '/readyz');
      expect(notReady).toMatchObject({ status: 503, code: 'revocation_unavailable' });
      expect(notReady.message).toContain('has not been loaded yet');
      expect(await me(late, adaLater.idToken)).toMatchObject({
        status: 503,
        code: 'revocation_unavailable',
      });

      await db.start();
      await within(5000, 'the late server loads the revocations', async () => {
        return (await me(late, adaLater.idToken)).status === 200;
      });
      expectRevoked(await me(late, adaOld.idToken));
      expect((await get(late, '/readyz')).status).toBe(200);
    } finally {
      await late.stop();
    }
  });

  it('logs JSON only, and never a token or the state store password', () => {
    for (const started of processes) {
      const output = started.output();
      for (const line of started.stdoutLines()) expect(() => JSON.parse(line)).not.toThrow();
      for (const token of issued) expect(output).not.toContain(token);
      expect(output).not.toContain(LOCAL_STATE_DB.app.password);
    }
    expect(processes.length).toBeGreaterThanOrEqual(4);
  });
});
