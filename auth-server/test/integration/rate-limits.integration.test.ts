import { maskIdentifier } from '@authstack/shared';
import { freshStateDatabase, type FreshStateDatabase } from '@authstack/shared/testing';
import { createTestUserPool, sharedLocalPool } from '@authstack/local-pool/testing';
import type { Express } from 'express';
import request from 'supertest';
import type { StateStoreDeps } from '../../src/app';
import {
  API,
  NO_LIMITS,
  bearer,
  connectStateStore,
  createApp,
  signInRequest,
  signUp,
  uniqueEmail,
  type AppOptions,
  type SharedLocalPool,
  type SignedUp,
  type TestApp,
  type TestUserPool,
} from './harness';
import { startSlowProxy } from './slow-proxy';

let pool: SharedLocalPool;
let userPool: TestUserPool;
let stateDb: FreshStateDatabase;
let store: StateStoreDeps;

beforeAll(async () => {
  [pool, stateDb] = await Promise.all([sharedLocalPool(), freshStateDatabase({ migrate: true })]);
  userPool = await createTestUserPool(pool);
  store = connectStateStore(stateDb.url);
});

afterAll(async () => {
  await store?.db.end();
  await Promise.all([stateDb?.stop(), pool?.stop()]);
});

// Every test's requests come from the same addresses: each starts with no counts.
beforeEach(async () => {
  await store.db.query('TRUNCATE rate_limits');
});

/** An auth-server instance on the shared state store (two of them: two tasks of one service). */
const instance = (options: AppOptions = {}): TestApp =>
  createApp(pool, userPool, { stateStore: store, ...options });

const WRONG = 'Wrong-Passw0rd!';
/**
 * The pool hashes the password of each of the concurrent sign-ins: on a busy two-core machine
 * they can take longer than the usual deadline, and a 503 would hide what is tested.
 */
const CONCURRENT_TIMEOUT_MS = 30_000;

/** A wrong password for a fresh email, sent with `X-Forwarded-For: forwardedFor`. */
const guessFrom = (app: Express, forwardedFor: string) =>
  signInRequest(app, uniqueEmail('guess'), WRONG).set('X-Forwarded-For', forwardedFor);

function expectLimited(response: request.Response): void {
  expect(response.status).toBe(429);
  expect(response.body.error.code).toBe('too_many_requests');
  expect(typeof response.body.error.requestId).toBe('string');
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60);
}

describe('failed sign-ins per email (security case 20)', () => {
  it('answers 429 with Retry-After after the limit, even to the right password and another case', async () => {
    const { app } = instance({ rateLimits: { ...NO_LIMITS, signInFailuresPerEmail: 3 } });
    const user = await signUp(app);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await signInRequest(app, user.email, WRONG).expect(401);
    }
    expectLimited(await signInRequest(app, ` ${user.email.toUpperCase()}`, user.password));
    const otherUser = await signUp(app);
    await signInRequest(app, otherUser.email, otherUser.password).expect(200);
  });

  it('does not count successful sign-ins, bad input or an unknown route', async () => {
    const { app } = instance({
      rateLimits: { ...NO_LIMITS, signInFailuresPerEmail: 2, signInFailuresPerIp: 2 },
    });
    const user = await signUp(app);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await signInRequest(app, user.email, user.password).expect(200);
      await request(app).post(`${API}/user/signin`).send({ email: user.email }).expect(400);
      await request(app).post(`${API}/user/signinx`).send({ email: user.email }).expect(404);
    }
    await signInRequest(app, user.email, WRONG).expect(401);
  });

  it('counts across instances: five failures spread over two make the sixth 429 on either', async () => {
    const limits = { ...NO_LIMITS, signInFailuresPerEmail: 5 };
    const first = instance({ rateLimits: limits });
    const second = instance({ rateLimits: limits });
    const user = await signUp(first.app);
    for (const app of [first.app, second.app, first.app, second.app, first.app]) {
      await signInRequest(app, user.email, WRONG).expect(401);
    }
    expectLimited(await signInRequest(second.app, user.email, WRONG));
    expectLimited(await signInRequest(first.app, user.email, user.password));
    expect(second.logs.records()).toContainEqual(
      expect.objectContaining({ msg: 'rate limit reached', countedIn: 'shared' }),
    );
  });

  it('survives a restart: a new instance on the same store still refuses', async () => {
    const limits = { ...NO_LIMITS, signInFailuresPerEmail: 3 };
    const before = instance({ rateLimits: limits });
    const user = await signUp(before.app);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await signInRequest(before.app, user.email, WRONG).expect(401);
    }
    const after = instance({ rateLimits: limits });
    expectLimited(await signInRequest(after.app, user.email, user.password));
  });

  it('never refuses concurrent correct sign-ins: 8 at once with a limit of 5 all get 200', async () => {
    const { app } = instance({
      rateLimits: { ...NO_LIMITS, signInFailuresPerEmail: 5, signInFailuresPerIp: 5 },
      timeoutMs: CONCURRENT_TIMEOUT_MS,
    });
    const user = await signUp(app);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => signInRequest(app, user.email, user.password)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    // The limit was on all along: five failures still close the door.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await signInRequest(app, user.email, WRONG).expect(401);
    }
    expectLimited(await signInRequest(app, user.email, user.password));
  });

  it('never refuses concurrent correct sign-ins one failure short of the limit: 10 at once all get 200', async () => {
    const { app } = instance({
      rateLimits: { ...NO_LIMITS, signInFailuresPerEmail: 3, signInFailuresPerIp: 3 },
      timeoutMs: CONCURRENT_TIMEOUT_MS,
    });
    const user = await signUp(app);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await signInRequest(app, user.email, WRONG).expect(401);
    }
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => signInRequest(app, user.email, user.password)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    // None of them counted: the third failure is the one that closes the door.
    await signInRequest(app, user.email, WRONG).expect(401);
    expectLimited(await signInRequest(app, user.email, user.password));
  });

  it('keeps neither the email nor the address in the store, only their hashes', async () => {
    const { app } = instance({
      rateLimits: { ...NO_LIMITS, signInFailuresPerEmail: 5, signInFailuresPerIp: 5 },
    });
    const email = uniqueEmail('stored');
    await signInRequest(app, email, WRONG).expect(401);
    const { rows } = await store.db.query<{ key: string; points: number }>(
      'SELECT key, points FROM rate_limits ORDER BY key',
    );
    expect(rows).toEqual([
      { key: expect.stringMatching(/^signin_email:[0-9a-f]{64}$/), points: 1 },
      { key: expect.stringMatching(/^signin_ip:[0-9a-f]{64}$/), points: 1 },
    ]);
    expect(JSON.stringify(rows)).not.toContain(email.toLowerCase().split('@')[0]);
    expect(JSON.stringify(rows)).not.toContain('127.0.0.1');
  });

  it('logs a limited request with the masked key, never the email or the password', async () => {
    const { app, logs } = instance({ rateLimits: { ...NO_LIMITS, signInFailuresPerEmail: 2 } });
    const email = uniqueEmail('logged');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await signInRequest(app, email, WRONG).expect(401);
    }
    expectLimited(await signInRequest(app, email, WRONG));
    expect(logs.records()).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'rate limit reached',
        limit: 'signin_email',
        key: maskIdentifier(email),
        countedIn: 'shared',
      }),
    );
    const text = logs.text().toLowerCase();
    expect(text).not.toContain(email.toLowerCase());
    expect(text).not.toContain(email.toLowerCase().split('@')[0]);
    expect(text).not.toContain(WRONG.toLowerCase());
  });
});

describe('wrong current passwords on POST /user/password/change (security case 32)', () => {
  const change = (app: Express, user: SignedUp, previousPassword: string) =>
    request(app)
      .post(`${API}/user/password/change`)
      .set(bearer(user.accessToken))
      .send({ previousPassword, proposedPassword: 'Changed-Passw0rd!1' });

  it('never counts a dependency fault: 503s while the pool is too slow leave the whole budget', async () => {
    const proxy = await startSlowProxy(pool.endpoint);
    try {
      const limits = { ...NO_LIMITS, signInFailuresPerEmail: 2, signInFailuresPerIp: 2 };
      const { app } = instance({ rateLimits: limits, endpoint: proxy.url, timeoutMs: 2_000 });
      const user = await signUp(instance().app);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        proxy.delayNext('ChangePassword', 2_500);
        const faulted = await change(app, user, WRONG);
        expect(faulted.status).toBe(503);
        expect(faulted.body.error.code).toBe('upstream_unavailable');
        expect(faulted.headers['retry-after']).toBeDefined();
      }
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const guess = await change(app, user, WRONG);
        expect(guess.status).toBe(400);
        expect(guess.body.error.code).toBe('incorrect_password');
      }
      expectLimited(await change(app, user, user.password));
    } finally {
      await proxy.close();
    }
  });
});

describe('failed sign-ins per client address (security case 20)', () => {
  it('answers 429 even when every attempt sends another X-Forwarded-For (TRUST_PROXY=0)', async () => {
    const { app } = instance({ rateLimits: { ...NO_LIMITS, signInFailuresPerIp: 4 } });
    for (let n = 0; n < 4; n += 1) await guessFrom(app, `198.51.100.${n}`).expect(401);
    expectLimited(await guessFrom(app, '198.51.100.99'));
  });

  it('with TRUST_PROXY=1 uses the address the proxy appended, not the ones the client sent', async () => {
    const { app } = instance({
      trustProxy: 1,
      rateLimits: { ...NO_LIMITS, signInFailuresPerIp: 3 },
    });
    for (let n = 0; n < 3; n += 1) await guessFrom(app, `10.0.0.${n}, 203.0.113.7`).expect(401);
    expectLimited(await guessFrom(app, '10.9.9.9, 203.0.113.7'));
    await guessFrom(app, '203.0.113.8').expect(401);
  });

  it('counts an IPv6 client by its /56, so hopping addresses inside it does not help', async () => {
    const { app } = instance({
      trustProxy: 1,
      rateLimits: { ...NO_LIMITS, signInFailuresPerIp: 3 },
    });
    await guessFrom(app, '2001:db8:0:1::1').expect(401);
    await guessFrom(app, '2001:db8:0:2::abcd').expect(401);
    await guessFrom(app, '2001:db8:0:ff::9').expect(401);
    expectLimited(await guessFrom(app, '2001:db8:0:42::42'));
    await guessFrom(app, '2001:db8:1:100::1').expect(401);
  });

  it('counts across instances too', async () => {
    const limits = { ...NO_LIMITS, signInFailuresPerIp: 2 };
    const first = instance({ trustProxy: 1, rateLimits: limits });
    const second = instance({ trustProxy: 1, rateLimits: limits });
    await guessFrom(first.app, '192.0.2.10').expect(401);
    await guessFrom(second.app, '192.0.2.10').expect(401);
    expectLimited(await guessFrom(first.app, '192.0.2.10'));
    await guessFrom(second.app, '192.0.2.11').expect(401);
  });
});

describe('sign-up, confirm, resend, forgot and reset per client address', () => {
  it('share one budget per address and answer 429 beyond it', async () => {
    const { app } = instance({ rateLimits: { ...NO_LIMITS, accountRequestsPerIp: 4 } });
    await request(app)
      .post(`${API}/user/password/forgot`)
      .send({ email: uniqueEmail() })
      .expect(202);
    await request(app)
      .post(`${API}/user/confirm/resend`)
      .send({ email: uniqueEmail() })
      .expect(202);
    await request(app)
      .post(`${API}/user/confirm`)
      .send({ email: uniqueEmail(), code: '123456' })
      .expect(400);
    await signUp(app);
    expectLimited(
      await request(app).post(`${API}/user/password/forgot`).send({ email: uniqueEmail() }),
    );
    expectLimited(
      await request(app)
        .post(`${API}/user/password/reset`)
        .send({ email: uniqueEmail(), code: '123456', newPassword: 'Another-Passw0rd!' }),
    );
    expectLimited(
      await request(app)
        .post(`${API}/user`)
        .send({ email: uniqueEmail(), name: 'n', password: 'x' }),
    );
    // The budget is the address's on every instance, not this one's.
    expectLimited(
      await request(instance({ rateLimits: { ...NO_LIMITS, accountRequestsPerIp: 4 } }).app)
        .post(`${API}/user/password/forgot`)
        .send({ email: uniqueEmail() }),
    );
  });
});

describe('GET /readyz', () => {
  it('shows the shared store and where the limits count', async () => {
    const { app } = instance();
    const response = await request(app).get('/readyz').expect(200);
    expect(response.body).toEqual({ status: 'ready', stateStore: 'ok', rateLimits: 'shared' });
  });

  it('says so when no store is configured, and the limits still hold per process', async () => {
    const { app } = createApp(pool, userPool, {
      rateLimits: { ...NO_LIMITS, signInFailuresPerEmail: 2 },
    });
    const response = await request(app).get('/readyz').expect(200);
    expect(response.body).toEqual({
      status: 'ready',
      stateStore: 'not configured',
      rateLimits: 'per-process',
    });
    const email = uniqueEmail('memory');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await signInRequest(app, email, WRONG).expect(401);
    }
    expectLimited(await signInRequest(app, email, WRONG));
    const { rows } = await store.db.query('SELECT key FROM rate_limits');
    expect(rows).toEqual([]);
  });
});
