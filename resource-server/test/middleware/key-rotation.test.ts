import request from 'supertest';
import { JwksServer } from '../support/jwks-server';
import { startTestApp, CLIENT_ID, type TestApp } from '../support/test-app';
import { createTestKey, idTokenClaims, signedToken, type TestKey } from '../support/tokens';

const ME = '/v1/api/users/me';

/** Each test gets its own pool keys, JWKS endpoint and app (refetch 30 s, max age 300 s, stale 3600 s). */
let keyA: TestKey;
let keyB: TestKey;
let jwks: JwksServer;
let t: TestApp;

beforeAll(() => {
  keyA = createTestKey();
  keyB = createTestKey();
});

beforeEach(async () => {
  jwks = await new JwksServer([keyA]).start();
  t = await startTestApp(jwks);
});

afterEach(async () => {
  await jwks.stop();
});

const tokenFor = (key: TestKey, overrides: Record<string, unknown> = {}) =>
  signedToken(key, idTokenClaims({ issuer: jwks.issuer, clientId: CLIENT_ID }, overrides));
const me = (token: string) => request(t.app).get(ME).set('Authorization', `Bearer ${token}`);

describe('case 6: unknown kid', () => {
  it('fetches the JWKS at most once per interval for a burst of unknown kids; known kids keep working', async () => {
    const known = tokenFor(keyA);
    expect(jwks.jwksFetches).toBe(1);
    t.clock.advance(31);

    const burst = Array.from({ length: 25 }, () => tokenFor(createTestKey()));
    const answers = await Promise.all([...burst.map(me), me(known)]);
    expect(answers.map((res) => res.status)).toEqual([...burst.map(() => 401), 200]);
    expect(answers[0]?.body.error.code).toBe('invalid_token');
    expect(jwks.jwksFetches).toBe(2);

    const again = await Promise.all(burst.map(me));
    expect(again.every((res) => res.status === 401)).toBe(true);
    expect(jwks.jwksFetches).toBe(2);
    expect((await me(known)).status).toBe(200);

    t.clock.advance(31);
    await me(burst[0] as string);
    expect(jwks.jwksFetches).toBe(3);
  });
});

describe('case 17: key rotation', () => {
  it('picks up a new kid published in the JWKS, after at most one interval', async () => {
    jwks.keys = [keyA, keyB];
    const rotated = tokenFor(keyB);
    expect((await me(rotated)).status).toBe(401);
    t.clock.advance(31);
    expect((await me(rotated)).status).toBe(200);
    expect((await me(tokenFor(keyA))).status).toBe(200);
    expect(jwks.jwksFetches).toBe(2);
  });

  it('stops verifying a key removed from the JWKS once the JWKS max age passes, cached tokens included', async () => {
    t = await startTestApp(jwks, { tokenCacheTtlSeconds: 3600 }); // cache entries outlive the JWKS max age
    jwks.requests.length = 0;
    const old = tokenFor(keyA);
    expect((await me(old)).status).toBe(200); // now in the verified-token cache
    jwks.keys = [keyB];
    t.clock.advance(120);
    expect((await me(old)).status).toBe(200); // within the bound: keys not refreshed yet
    expect(jwks.jwksFetches).toBe(0);

    t.clock.advance(181);
    const res = await me(old);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token');
    expect(jwks.jwksFetches).toBe(1);
    expect((await me(tokenFor(keyB))).status).toBe(200);
    expect((await me(tokenFor(keyA))).status).toBe(401);
  });
});

describe('case 18: JWKS endpoint down', () => {
  it('keeps verifying cached keys, fails closed for new kids with 503, and recovers', async () => {
    const known = tokenFor(keyA);
    expect((await me(known)).status).toBe(200);
    jwks.up = false;

    t.clock.advance(301); // past max age: a refresh is due and fails
    expect((await me(known)).status).toBe(200);
    expect((await me(tokenFor(keyA, { jti: 'fresh-token-same-key' }))).status).toBe(200);
    expect(jwks.jwksFetches).toBe(2);

    const unknown = await me(tokenFor(keyB));
    expect(unknown.status).toBe(503);
    expect(unknown.body.error.code).toBe('keys_unavailable');
    expect(Number(unknown.headers['retry-after'])).toBeGreaterThan(0);
    expect(jwks.jwksFetches).toBe(2);
    expect((await request(t.app).get('/healthz')).status).toBe(200);
    expect((await request(t.app).get('/readyz')).status).toBe(200);

    t.clock.advance(3600); // beyond stale-if-error: cached keys are no longer trusted
    const stale = await me(known);
    expect(stale.status).toBe(503);
    expect((await request(t.app).get('/readyz')).status).toBe(503);

    jwks.up = true;
    jwks.keys = [keyA, keyB];
    t.clock.advance(31);
    expect((await me(known)).status).toBe(200);
    expect((await me(tokenFor(keyB))).status).toBe(200);
    expect((await request(t.app).get('/readyz')).status).toBe(200);
  });

  it('does not wait for or retry an unreachable JWKS more than once per interval', async () => {
    jwks.up = false;
    t.clock.advance(31);
    const answers = await Promise.all(Array.from({ length: 10 }, () => me(tokenFor(keyB))));
    expect(answers.every((res) => res.status === 503)).toBe(true);
    expect(jwks.jwksFetches).toBe(2);
  });
});
