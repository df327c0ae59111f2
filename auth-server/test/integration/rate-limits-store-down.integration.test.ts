import { setTimeout as sleep } from 'node:timers/promises';
import { startStateDatabase, type StateDatabase } from '@authstack/shared/testing';
import { createTestUserPool, sharedLocalPool } from '@authstack/local-pool/testing';
import type { Express } from 'express';
import request from 'supertest';
import type { StateStoreDeps } from '../../src/app';
import {
  NO_LIMITS,
  connectStateStore,
  createApp,
  signInRequest,
  signUp,
  uniqueEmail,
  type SharedLocalPool,
  type TestApp,
  type TestUserPool,
} from './harness';

let pool: SharedLocalPool;
let userPool: TestUserPool;
let stateDb: StateDatabase;
let store: StateStoreDeps;

beforeAll(async () => {
  [pool, stateDb] = await Promise.all([sharedLocalPool(), startStateDatabase({ migrate: true })]);
  userPool = await createTestUserPool(pool);
  store = connectStateStore(stateDb.url);
});

afterAll(async () => {
  await store?.db.end();
  await Promise.all([stateDb?.stop(), pool?.stop()]);
});

const WRONG = 'Wrong-Passw0rd!';
const LIMITS = { ...NO_LIMITS, signInFailuresPerEmail: 3 };

const instance = (): TestApp =>
  createApp(pool, userPool, { stateStore: store, rateLimits: LIMITS, statusTtlMs: 500 });

const readiness = async (app: Express): Promise<unknown> =>
  (await request(app).get('/readyz').expect(200)).body;

/** Polls /readyz until it shows `expected` (the store is probed at most every 2 s). */
async function readinessBecomes(app: Express, expected: unknown, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let body = await readiness(app);
  while (JSON.stringify(body) !== JSON.stringify(expected) && Date.now() < deadline) {
    await sleep(200);
    body = await readiness(app);
  }
  return body;
}

const messages = (api: TestApp, msg: string) =>
  api.logs.records().filter((record) => record.msg === msg);

function expectLimited(response: request.Response): void {
  expect(response.status).toBe(429);
  expect(response.body.error.code).toBe('too_many_requests');
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
}

describe('rate limits while the state store is down (a real kill of its process)', () => {
  it('keep sign-in working on per-process limits, show it on /readyz, and share again once the store is back', async () => {
    const first = instance();
    const second = instance();
    const user = await signUp(first.app);
    expect(await readiness(first.app)).toEqual({
      status: 'ready',
      stateStore: 'ok',
      rateLimits: 'shared',
    });

    await stateDb.crash();

    await signInRequest(first.app, user.email, user.password).expect(200);
    const guessed = uniqueEmail('guessed');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await signInRequest(first.app, guessed, WRONG).expect(401);
    }
    expectLimited(await signInRequest(first.app, guessed, WRONG));
    expectLimited(await signInRequest(first.app, ` ${guessed.toUpperCase()}`, WRONG));
    await signInRequest(first.app, user.email, user.password).expect(200);
    expect(messages(first, 'rate limit reached')).toContainEqual(
      expect.objectContaining({ limit: 'signin_email', countedIn: 'per-process' }),
    );
    // Per process: the other instance has not seen those failures.
    await signInRequest(second.app, guessed, WRONG).expect(401);

    expect(await readiness(first.app)).toEqual({
      status: 'ready',
      stateStore: 'unavailable',
      rateLimits: 'per-process fallback',
    });
    // An instance that has not counted anything yet finds out by itself.
    expect(await readiness(instance().app)).toEqual({
      status: 'ready',
      stateStore: 'unavailable',
      rateLimits: 'per-process fallback',
    });
    const outage = messages(
      first,
      'state store unavailable; rate limits count per process until it answers',
    );
    expect(outage).toHaveLength(1);
    expect(outage[0]).toMatchObject({ level: 'warn', stateStore: 'unavailable' });

    await stateDb.start();

    expect(
      await readinessBecomes(first.app, {
        status: 'ready',
        stateStore: 'ok',
        rateLimits: 'shared',
      }),
    ).toEqual({ status: 'ready', stateStore: 'ok', rateLimits: 'shared' });
    const recovered = messages(
      first,
      'state store answers again; rate limits count in the shared store again',
    );
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ level: 'info', rateLimits: 'shared' });
    expect(
      messages(first, 'state store unavailable; rate limits count per process until it answers'),
    ).toHaveLength(1);

    await readinessBecomes(second.app, { status: 'ready', stateStore: 'ok', rateLimits: 'shared' });
    const later = uniqueEmail('later');
    for (const api of [first, second, first]) {
      await signInRequest(api.app, later, WRONG).expect(401);
    }
    expectLimited(await signInRequest(second.app, later, WRONG));
    expect(messages(second, 'rate limit reached')).toContainEqual(
      expect.objectContaining({ limit: 'signin_email', countedIn: 'shared' }),
    );
    for (const api of [first, second]) {
      expect(JSON.stringify(api.logs.records()).toLowerCase()).not.toContain(guessed.toLowerCase());
    }
  });
});
