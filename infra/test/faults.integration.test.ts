import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import {
  createTestUserPool,
  startLocalPool,
  type LocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import {
  DEMO_LEGACY_USERS,
  seedLegacyUsers,
  startLegacyDatabase,
  startTriggerInvokeServer,
  type LegacyDatabase,
  type SeedLegacyUser,
  type TriggerInvokeServer,
} from '@authstack/trigger/testing';
import {
  call,
  startAuthServer,
  startResourceServer,
  type Answer,
  type ServerProcess,
} from '../../scripts/testing/servers';

/**
 * The fault suite: every dependency of the stack killed in turn (SIGKILL) while requests
 * are under way, each a real process: the local pool (which is also the JWKS source), the
 * trigger's invoke server and the legacy Postgres. For each: what every caller gets while
 * it is down (a truthful, retryable 503, never a wrong-credentials answer or a 500), what
 * readiness says, that the stack heals once the process is back, and that no write
 * acknowledged before or during the fault is lost.
 */
const PASSWORD = 'Correct-Horse-9!';
/** A failure limit low enough that a fault counted as a failure would show as a 429. */
const FAILURES_PER_EMAIL = 2;

let counter = 0;
const uniqueEmail = (): string =>
  `fault.${process.pid}.${Date.now()}.${(counter += 1)}@example.com`;

/** Legacy users only the Postgres fault migrates: strong passwords, verified emails. */
const FAULT_LEGACY_USERS: SeedLegacyUser[] = [1, 2, 3].map((n) => ({
  email: `legacy.fault.${n}@example.com`,
  password: `Legacy-Fault-${n}-Passw0rd!`,
  name: `Fault User ${n}`,
  hash: 'bcrypt',
  emailVerified: true,
}));
const legacyDataDir = mkdtempSync(path.join(os.tmpdir(), 'fault-legacy-db-'));
let legacy: LegacyDatabase;
let trigger: TriggerInvokeServer;
let pool: LocalPool;
let userPool: TestUserPool;
let auth: ServerProcess;
let resource: ServerProcess;

const signIn = (email: string, password: string): Promise<Answer> =>
  call('POST', `${auth.api}/user/signin`, { body: { email, password } });
const signUp = (email: string): Promise<Answer> =>
  call('POST', `${auth.api}/user`, { body: { email, password: PASSWORD, name: 'F' } });

/** The only answer a dependency fault may give: 503 `upstream_unavailable`, Retry-After, the house body. */
function expectUnavailable(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(answer.body).toEqual({
    error: {
      code: 'upstream_unavailable',
      message: expect.any(String),
      requestId: answer.headers.get('x-request-id'),
    },
  });
}

/** `token`'s claims signed by a key the pool never published (a `kid` no JWKS holds). */
function withUnknownKid(token: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const header = Buffer.from(
    JSON.stringify({ alg: 'RS256', kid: 'never-published', typ: 'JWT' }),
  ).toString('base64url');
  const signingInput = `${header}.${token.split('.')[1] ?? ''}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
}

/** Polls `url` until it answers `status` (the stack healing is asynchronous). */
async function waitForStatus(url: string, status: number, timeoutMs = 30_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await call('GET', url).catch(() => undefined);
    if (answer?.status === status) return answer;
    if (Date.now() > deadline) {
      throw new Error(`${url} did not answer ${status} (last: ${String(answer?.status)})`);
    }
    await sleep(200);
  }
}

/**
 * Sends `requests` one every `spacingMs`, without waiting for answers, and kills `victim`
 * once `successesBeforeKill` of them have succeeded (0: at the first answer, whatever it
 * is), or `killAtMs` after the first was sent: the rest are in flight or still to come.
 */
async function killDuring<T extends { answer: Answer } | Answer>(
  requests: (() => Promise<T>)[],
  victim: { stop(signal?: NodeJS.Signals): Promise<void> },
  {
    successesBeforeKill = 1,
    spacingMs = 100,
    killAtMs,
  }: { successesBeforeKill?: number; spacingMs?: number; killAtMs?: number } = {},
): Promise<T[]> {
  let succeeded = 0;
  let killed: Promise<void> | undefined;
  if (killAtMs !== undefined) {
    killed = sleep(killAtMs).then(() => victim.stop('SIGKILL'));
    successesBeforeKill = Number.POSITIVE_INFINITY;
  }
  const sent = requests.map(async (send, index) => {
    await sleep(index * spacingMs);
    const result = await send();
    const { status } = 'answer' in result ? result.answer : result;
    if (status < 300) succeeded += 1;
    if (succeeded >= successesBeforeKill) killed ??= victim.stop('SIGKILL');
    return result;
  });
  const results = await Promise.all(sent);
  await (killed ?? victim.stop('SIGKILL'));
  return results;
}

beforeAll(async () => {
  legacy = await startLegacyDatabase({ dataDir: legacyDataDir });
  const admin = new Client({ connectionString: legacy.adminUrl });
  await admin.connect();
  try {
    await seedLegacyUsers(admin, FAULT_LEGACY_USERS);
  } finally {
    await admin.end();
  }
  trigger = await startTriggerInvokeServer({ legacyDatabaseUrl: legacy.url });
  pool = await startLocalPool({ lambdaEndpoint: trigger.endpoint });
  userPool = await createTestUserPool(pool, {
    userMigrationLambdaArn: trigger.functionArn,
    preSignUpLambdaArn: trigger.functionArn,
  });
  const options = { poolEndpoint: pool.endpoint, userPool };
  [auth, resource] = await Promise.all([
    startAuthServer({
      ...options,
      env: {
        SIGNIN_MAX_FAILURES_PER_EMAIL: String(FAILURES_PER_EMAIL),
        SIGNIN_MAX_FAILURES_PER_IP: '0',
        ACCOUNT_MAX_REQUESTS_PER_IP: '0',
        // This machine is shared: a slow answer must not be mistaken for the fault under test.
        UPSTREAM_TIMEOUT_MS: '15000',
      },
    }),
    startResourceServer({ ...options, env: { JWKS_REFETCH_INTERVAL_SECONDS: '1' } }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([auth?.stop(), resource?.stop()]);
  await pool?.stop();
  await trigger?.stop();
  await legacy?.stop();
  rmSync(legacyDataDir, { recursive: true, force: true });
});

describe('the local pool (the user pool and the JWKS source) killed during requests', () => {
  it('answers 503 while it is down, keeps verifying cached keys, and loses no acknowledged sign-up', async () => {
    const known = uniqueEmail();
    expect((await signUp(known)).status).toBe(201);
    const before = await signIn(known, PASSWORD);
    expect(before.status).toBe(200);
    const accessToken = String(before.body.accessToken);

    const emails = Array.from({ length: 10 }, uniqueEmail);
    const answers = await killDuring(
      emails.map((email) => async () => ({ email, answer: await signUp(email) })),
      pool,
      { successesBeforeKill: 3 },
    );
    for (const { answer } of answers) {
      if (answer.status !== 201) expectUnavailable(answer);
    }

    // Down: the auth-server says so truthfully, everywhere.
    expectUnavailable(await signIn(known, PASSWORD));
    expectUnavailable(await signUp(uniqueEmail()));
    expectUnavailable(await call('GET', `${auth.api}/user/me`, { token: accessToken }));
    // Readiness asks the pool at most every 2 s: it says so within that.
    expect((await waitForStatus(`${auth.base}/readyz`, 503, 5_000)).body).toMatchObject({
      error: { code: 'upstream_unavailable' },
    });
    // A right password during the outage never counts as a failure: more tries than the limit.
    for (let i = 0; i <= FAILURES_PER_EMAIL; i += 1) {
      expectUnavailable(await signIn(known, PASSWORD));
    }

    // The resource-server verifies with the keys it has; a key it cannot look up is a 503.
    const me = await call('GET', `${resource.api}/users/me`, { token: accessToken });
    expect(me.status).toBe(200);
    const unknownKid = withUnknownKid(accessToken);
    await sleep(1_100);
    const refused = await call('GET', `${resource.api}/users/me`, { token: unknownKid });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    const resourceReady = await call('GET', `${resource.base}/readyz`);
    expect(resourceReady.status).toBe(200);
    expect(resourceReady.body).toMatchObject({ keys: { jwks: 'unreachable' } });

    // Back: readiness recovers, and every sign-up that was acknowledged is there.
    await pool.restart();
    await waitForStatus(`${auth.base}/readyz`, 200);
    const acknowledged = answers.filter(({ answer }) => answer.status === 201);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { email } of acknowledged) {
      expect((await signIn(email, PASSWORD)).status).toBe(200);
    }
    expect((await signIn(known, PASSWORD)).status).toBe(200);
    await sleep(1_100);
    await call('GET', `${resource.api}/users/me`, { token: unknownKid });
    expect((await call('GET', `${resource.base}/readyz`)).body).toMatchObject({
      keys: { jwks: 'reachable' },
    });
  });
});

describe('the trigger (Lambda) killed during legacy sign-ins', () => {
  it('answers 503, never 401 or 429, while it is down, and migrates once it is back', async () => {
    const [first, unmigrated] = DEMO_LEGACY_USERS;
    if (!first || !unmigrated) throw new Error('the demo legacy users are missing');
    const answers = await killDuring(
      [() => signIn(uniqueEmail(), PASSWORD), () => signIn(first.email, first.password)],
      trigger,
      { successesBeforeKill: 0 },
    );
    for (const answer of answers) expect([200, 401, 503]).toContain(answer.status);

    for (let i = 0; i <= FAILURES_PER_EMAIL; i += 1) {
      expectUnavailable(await signIn(unmigrated.email, unmigrated.password));
    }
    // Sign-up asks the PreSignUp trigger whether the address is a legacy one: it cannot know.
    expectUnavailable(await signUp(uniqueEmail()));
    // Users already in the pool are not affected.
    const inPool = uniqueEmail();
    await trigger.restart();
    expect((await signUp(inPool)).status).toBe(201);
    await trigger.stop('SIGKILL');
    expect((await signIn(inPool, PASSWORD)).status).toBe(200);

    await trigger.restart();
    expect((await signIn(unmigrated.email, unmigrated.password)).status).toBe(200);
  });
});

describe('the legacy Postgres killed during legacy sign-ins', () => {
  /** SIGKILL to the Postgres server and every backend of it, as a crash of its host would end them. */
  const killPostgres = async (): Promise<void> => {
    const pid = Number(
      readFileSync(path.join(legacyDataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    const backends = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map(Number)
      .filter((child) => child > 0);
    for (const victim of [pid, ...backends]) process.kill(victim, 'SIGKILL');
    // Its runner notices and exits, so that a supervisor (`npm start`) starts both again.
    await legacy.process.exited;
  };

  it('answers 503, never 401 or 429, reports it in the trigger readiness, and heals', async () => {
    const users = FAULT_LEGACY_USERS;
    const answers = await killDuring(
      users.map((user) => () => signIn(user.email, user.password)),
      { stop: killPostgres },
      { killAtMs: 50, spacingMs: 300 },
    );
    for (const answer of answers) {
      if (answer.status !== 200) expectUnavailable(answer);
    }
    const notMigrated = users.filter((_user, index) => answers[index]?.status !== 200);
    const victim = notMigrated[0];
    if (!victim) throw new Error('every legacy sign-in finished before Postgres was killed');

    for (let i = 0; i <= FAILURES_PER_EMAIL; i += 1) {
      expectUnavailable(await signIn(victim.email, victim.password));
    }
    expectUnavailable(
      await call('POST', `${auth.api}/user/password/forgot`, { body: { email: victim.email } }),
    );
    const triggerReady = await call('GET', `${trigger.endpoint}/readyz`);
    expect(triggerReady.status).toBe(503);
    expect(triggerReady.body).toMatchObject({ error: { code: expect.any(String) } });
    // Users already in the pool sign in as ever.
    const inPool = uniqueEmail();
    await legacy.start();
    expect((await signUp(inPool)).status).toBe(201);
    await killPostgres();
    expect((await signIn(inPool, PASSWORD)).status).toBe(200);

    await legacy.start();
    await waitForStatus(`${trigger.endpoint}/readyz`, 200);
    for (const user of notMigrated) {
      expect((await signIn(user.email, user.password)).status).toBe(200);
    }
  });
});
