import { createTestUserPool, startLocalPool } from '@authstack/local-pool/testing';
import type { Express } from 'express';
import request from 'supertest';
import {
  API,
  NO_LIMITS,
  createApp,
  signInRequest,
  signUp,
  uniqueEmail,
  type LocalPool,
  type TestUserPool,
} from './harness';

let pool: LocalPool;
let userPool: TestUserPool;

beforeAll(async () => {
  pool = await startLocalPool();
  userPool = await createTestUserPool(pool);
});

afterAll(async () => {
  await pool?.stop();
});

const WRONG = 'Wrong-Passw0rd!';

/** A wrong password for a fresh email, sent with `X-Forwarded-For: forwardedFor`. */
const guessFrom = (app: Express, forwardedFor: string) =>
  signInRequest(app, uniqueEmail('guess'), WRONG).set('X-Forwarded-For', forwardedFor);

function expectLimited(response: request.Response): void {
  expect(response.status).toBe(429);
  expect(response.body.error.code).toBe('too_many_requests');
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
}

describe('failed sign-ins per email (security case 20)', () => {
  it('answers 429 with Retry-After after the limit, even to the right password and another case', async () => {
    const { app } = createApp(pool, userPool, {
      rateLimits: { ...NO_LIMITS, signInFailuresPerEmail: 3 },
    });
    const user = await signUp(app);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await signInRequest(app, user.email, WRONG).expect(401);
    }
    expectLimited(await signInRequest(app, ` ${user.email.toUpperCase()}`, user.password));
    const otherUser = await signUp(app);
    await signInRequest(app, otherUser.email, otherUser.password).expect(200);
  });

  it('does not count successful sign-ins, bad input or an unknown route', async () => {
    const { app } = createApp(pool, userPool, {
      rateLimits: { ...NO_LIMITS, signInFailuresPerEmail: 2, signInFailuresPerIp: 2 },
    });
    const user = await signUp(app);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await signInRequest(app, user.email, user.password).expect(200);
      await request(app).post(`${API}/user/signin`).send({ email: user.email }).expect(400);
    }
    await signInRequest(app, user.email, WRONG).expect(401);
  });
});

describe('failed sign-ins per client address (security case 20)', () => {
  it('answers 429 even when every attempt sends another X-Forwarded-For (TRUST_PROXY=0)', async () => {
    const { app } = createApp(pool, userPool, {
      rateLimits: { ...NO_LIMITS, signInFailuresPerIp: 4 },
    });
    for (let n = 0; n < 4; n += 1) await guessFrom(app, `198.51.100.${n}`).expect(401);
    expectLimited(await guessFrom(app, '198.51.100.99'));
  });

  it('with TRUST_PROXY=1 uses the address the proxy appended, not the ones the client sent', async () => {
    const { app } = createApp(pool, userPool, {
      trustProxy: 1,
      rateLimits: { ...NO_LIMITS, signInFailuresPerIp: 3 },
    });
    for (let n = 0; n < 3; n += 1) await guessFrom(app, `10.0.0.${n}, 203.0.113.7`).expect(401);
    expectLimited(await guessFrom(app, '10.9.9.9, 203.0.113.7'));
    await guessFrom(app, '203.0.113.8').expect(401);
  });

  it('counts an IPv6 client by its /56, so hopping addresses inside it does not help', async () => {
    const { app } = createApp(pool, userPool, {
      trustProxy: 1,
      rateLimits: { ...NO_LIMITS, signInFailuresPerIp: 3 },
    });
    await guessFrom(app, '2001:db8:0:1::1').expect(401);
    await guessFrom(app, '2001:db8:0:2::abcd').expect(401);
    await guessFrom(app, '2001:db8:0:ff::9').expect(401);
    expectLimited(await guessFrom(app, '2001:db8:0:42::42'));
    await guessFrom(app, '2001:db8:1:100::1').expect(401);
  });
});

describe('sign-up, confirm, resend, forgot and reset per client address', () => {
  it('share one budget per address and answer 429 beyond it', async () => {
    const { app } = createApp(pool, userPool, {
      rateLimits: { ...NO_LIMITS, accountRequestsPerIp: 4 },
    });
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
  });
});
