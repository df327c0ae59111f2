import { createTestUserPool, startLocalPool } from '@authstack/local-pool/testing';
import { createLogger, serve } from '@authstack/shared';
import request from 'supertest';
import {
  API,
  createApp,
  signInRequest,
  signUp,
  type LocalPool,
  type SignedUp,
  type TestApp,
  type TestUserPool,
} from './harness';
import { startSlowProxy, type SlowProxy } from './slow-proxy';

let pool: LocalPool;
let userPool: TestUserPool;
let proxy: SlowProxy;
let api: TestApp;
let user: SignedUp;

/** Short enough to keep the suite quick, long enough for a sign-in on a busy machine. */
const TIMEOUT_MS = 2_000;

beforeAll(async () => {
  pool = await startLocalPool();
  userPool = await createTestUserPool(pool);
  proxy = await startSlowProxy(pool.endpoint);
  api = createApp(pool, userPool, { endpoint: proxy.url, timeoutMs: TIMEOUT_MS, statusTtlMs: 0 });
  user = await signUp(createApp(pool, userPool).app);
});

afterAll(async () => {
  await proxy?.close();
  await pool?.stop();
});

const signIn = () => signInRequest(api.app, user.email, user.password);

function expectUnavailable(response: request.Response): void {
  expect(response.status).toBe(503);
  expect(response.body.error).toEqual({
    code: 'upstream_unavailable',
    message: expect.any(String),
    requestId: response.headers['x-request-id'],
  });
  expect(JSON.stringify(response.body)).not.toMatch(/ECONN|Timeout|socket|Exception/i);
}

describe('user pool slow (security case 26)', () => {
  afterEach(() => proxy.stall(false));

  it('answers 503 upstream_unavailable once the upstream deadline passes, then recovers', async () => {
    proxy.stall(true);
    expectUnavailable(await signIn());
    expectUnavailable(
      await request(api.app)
        .get(`${API}/user/me`)
        .set('Authorization', `Bearer ${user.accessToken}`),
    );
    const ready = await request(api.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('upstream_unavailable');

    proxy.stall(false);
    await signIn().expect(200);
    await request(api.app).get('/readyz').expect(200);
  });

  it('keeps forgot-password a 503 (not a 202) when the pool cannot be asked', async () => {
    proxy.stall(true);
    expectUnavailable(
      await request(api.app).post(`${API}/user/password/forgot`).send({ email: user.email }),
    );
  });

  it('logs the upstream failure without its detail reaching the client', async () => {
    proxy.stall(true);
    const response = await signIn().set('X-Request-Id', 'slow-pool-1');
    expectUnavailable(response);
    const lines = api.logs.records().filter((record) => record.requestId === 'slow-pool-1');
    expect(lines.some((record) => record.msg === 'request failed upstream')).toBe(true);
  });
});

describe('graceful shutdown (the shared serve, as SIGTERM drives it)', () => {
  it('turns /readyz 503 at once while an in-flight sign-in still finishes', async () => {
    const patient = createApp(pool, userPool, { endpoint: proxy.url, statusTtlMs: 0 });
    const running = await serve(patient.app, {
      host: '127.0.0.1',
      port: 0,
      logger: createLogger({ name: 'auth-server', level: 'silent' }),
      lifecycle: patient.lifecycle,
      exitOnShutdown: false,
    });
    await request(patient.app).get('/readyz').expect(200);
    proxy.delayNext('InitiateAuth', 800);
    const reachedPool = proxy.nextCall('InitiateAuth');
    const inFlight = fetch(`${running.url}${API}/user/signin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    await reachedPool;

    const closed = running.shutdown();
    const ready = await request(patient.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('shutting_down');

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accessToken: expect.any(String) });
    await closed;
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });
});

describe('user pool down (security case 26)', () => {
  it('answers 503 while the pool process is stopped and recovers by itself when it is back', async () => {
    const direct = createApp(pool, userPool, { timeoutMs: TIMEOUT_MS, statusTtlMs: 0 });
    const signInDirect = () => signInRequest(direct.app, user.email, user.password);
    await signInDirect().expect(200);

    await pool.stop();
    expectUnavailable(await signInDirect());
    expectUnavailable(
      await request(direct.app)
        .post(`${API}/user`)
        .send({ email: 'new@example.com', name: 'n', password: 'Valid-Passw0rd!' }),
    );
    expect((await request(direct.app).get('/readyz')).status).toBe(503);
    expect((await request(direct.app).get('/healthz')).status).toBe(200);
    const refused = direct.logs
      .records()
      .filter((record) => record.msg === 'request failed upstream');
    expect(JSON.stringify(refused)).toContain('ECONNREFUSED');

    await pool.restart();
    await signInDirect().expect(200);
    await request(direct.app).get('/readyz').expect(200);
  });
});
