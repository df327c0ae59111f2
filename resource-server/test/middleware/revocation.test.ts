import type { Express } from 'express';
import request, { type Response } from 'supertest';
import { createLogger, Lifecycle } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { buildApp } from '../../src/app';
import type { VerifiedIdentity } from '../../src/domain/cognito-claims';
import { RevocationCheck } from '../../src/domain/revocation-check';
import { TokenVerifier } from '../../src/domain/token-verifier';
import { TestRevocationCopy } from '../support/revocation-copy';
import { CLIENT_ID } from '../support/test-app';
import {
  accessTokenClaims,
  createTestKey,
  idTokenClaims,
  signedToken,
  type TestKey,
} from '../support/tokens';
import { inMemoryJwks, verifierOptions } from '../support/verifier-options';

const ME = '/v1/api/users/me';
const ADMIN = '/v1/api/admin/overview';
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Revoke1';
const SUB = 'a1b2c3d4-0000-4000-8000-000000000001';
const MAX_STALENESS_MS = 60_000;

interface Harness {
  app: Express;
  copy: TestRevocationCopy;
  logs: LogCapture;
  /** Requests answered from the verified-token cache so far. */
  cacheHits(): number;
}

let key: TestKey;
let verifier: TokenVerifier;

beforeAll(async () => {
  key = createTestKey();
  verifier = new TokenVerifier(
    verifierOptions({ issuer: ISSUER, clientIds: [CLIENT_ID], source: inMemoryJwks(key) }),
  );
  await verifier.load();
});

/** The real app with a real verifier (cache on) and a revocation copy the test controls. */
function harness(failOpen = false): Harness {
  const copy = new TestRevocationCopy();
  const logs = new LogCapture();
  let hits = 0;
  const counting = {
    get ready() {
      return verifier.ready;
    },
    cached(token: string): VerifiedIdentity | undefined {
      const hit = verifier.cached(token);
      if (hit) hits += 1;
      return hit;
    },
    verify: (token: string) => verifier.verify(token),
    keysReport: () => verifier.keysReport(),
  };
  const app = buildApp({
    verifier: counting,
    revocations: new RevocationCheck({ copy, maxStalenessMs: MAX_STALENESS_MS, failOpen }),
    logger: createLogger({ name: 'resource-server', level: 'debug', destination: logs }),
    lifecycle: new Lifecycle(),
    stage: 'v1',
  });
  return { app, copy, logs, cacheHits: () => hits };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const pool = { issuer: ISSUER, clientId: CLIENT_ID };
const idToken = (claims: Record<string, unknown> = {}) =>
  signedToken(key, idTokenClaims(pool, claims));
const accessToken = (claims: Record<string, unknown> = {}) =>
  signedToken(key, accessTokenClaims(pool, claims));

const get = (app: Express, path: string, token: string) =>
  request(app).get(path).set('Authorization', `Bearer ${token}`);

function expectRevoked(res: Response, token: string): void {
  expect(res.status).toBe(401);
  expect(res.body).toEqual({
    error: {
      code: 'invalid_token',
      message: 'The token has been revoked.',
      requestId: expect.any(String),
    },
  });
  expect(res.headers['www-authenticate']).toBe('Bearer realm="authstack", error="invalid_token"');
  expect(res.text).not.toContain(token);
}

function expectRevocationUnavailable(res: Response): void {
  expect(res.status).toBe(503);
  expect(res.body.error.code).toBe('revocation_unavailable');
  expect(res.headers['retry-after']).toBe('5');
  expect(res.headers['www-authenticate']).toBeUndefined();
}

describe('requireAuth: a user revocation (sign-out everywhere, password change, disable)', () => {
  it('refuses the ID and the access token issued before it with 401 invalid_token', async () => {
    const t = harness();
    const iat = nowSeconds() - 10;
    const tokens = [idToken({ iat }), accessToken({ iat })];
    for (const token of tokens) expect((await get(t.app, ME, token)).status).toBe(200);

    t.copy.revokeUser(SUB, iat + 1);
    for (const token of tokens) expectRevoked(await get(t.app, ME, token), token);

    const refusals = t.logs.records().filter((line) => line.msg === 'token rejected');
    expect(refusals.map((line) => line.reason)).toEqual(['revoked', 'revoked']);
    for (const token of tokens) expect(t.logs.text()).not.toContain(token);
  });

  it('passes tokens issued in or after the notBefore second, and tokens of other users', async () => {
    const t = harness();
    const notBefore = nowSeconds();
    t.copy.revokeUser(SUB, notBefore);
    expectRevoked(await get(t.app, ME, idToken({ iat: notBefore - 1 })), 'x');
    expect((await get(t.app, ME, idToken({ iat: notBefore }))).status).toBe(200);
    expect((await get(t.app, ME, accessToken({ iat: notBefore }))).status).toBe(200);
    const other = idToken({ iat: notBefore - 1, sub: 'a1b2c3d4-0000-4000-8000-000000000002' });
    expect((await get(t.app, ME, other)).status).toBe(200);
  });

  it('refuses a token revoked after it was cached: the cache never skips the check', async () => {
    const t = harness();
    const iat = nowSeconds() - 5;
    const token = accessToken({ iat });
    expect((await get(t.app, '/v1/api/session', token)).status).toBe(200);
    expect((await get(t.app, '/v1/api/session', token)).status).toBe(200);
    const hitsBefore = t.cacheHits();
    expect(hitsBefore).toBeGreaterThanOrEqual(1);

    t.copy.revokeUser(SUB, iat + 1);
    expectRevoked(await get(t.app, '/v1/api/session', token), token);
    expect(t.cacheHits()).toBe(hitsBefore + 1);
  });
});

describe('requireAuth: a session revocation (sign out this device)', () => {
  it('refuses every token of that sign-in, whenever issued, and passes other sign-ins', async () => {
    const t = harness();
    const revoked = 'origin-of-this-device';
    const tokens = [
      idToken({ origin_jti: revoked }),
      accessToken({ origin_jti: revoked }),
      idToken({ origin_jti: revoked, iat: nowSeconds() + 5 }), // a refresh's later tokens too
    ];
    for (const token of tokens) expect((await get(t.app, ME, token)).status).toBe(200);

    t.copy.revokeSession(revoked);
    for (const token of tokens) expectRevoked(await get(t.app, ME, token), token);
    expect((await get(t.app, ME, idToken({ origin_jti: 'another-device' }))).status).toBe(200);
    expect((await get(t.app, ME, idToken({ origin_jti: undefined }))).status).toBe(200);
  });
});

describe('requireAuth: removal from a group', () => {
  it('answers 403 on the admin route to a token issued before the removal', async () => {
    const t = harness();
    const iat = nowSeconds() - 10;
    const old = idToken({ iat, 'cognito:groups': ['admin', 'editors'] });
    const oldAccess = accessToken({ iat });
    expect((await get(t.app, ADMIN, old)).status).toBe(200); // now cached, admin included

    t.copy.revokeGroup(SUB, 'admin', iat + 1);
    const denied = await get(t.app, ADMIN, old);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect((await get(t.app, ADMIN, oldAccess)).status).toBe(403);

    const me = await get(t.app, ME, old);
    expect(me.status).toBe(200);
    expect(me.body.groups).toEqual(['editors']);
  });

  it('lets a token issued after the removal (re-added to the group) in', async () => {
    const t = harness();
    const removedAt = nowSeconds() - 10;
    t.copy.revokeGroup(SUB, 'admin', removedAt);
    const later = idToken({ iat: removedAt });
    const res = await get(t.app, ADMIN, later);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ area: 'admin', sub: SUB, groups: ['admin'] });
  });
});

describe('requireAuth: when the copy of the revocations cannot be trusted', () => {
  it('answers 503 revocation_unavailable with Retry-After once the copy is past the bound', async () => {
    const t = harness();
    const token = idToken();
    t.copy.staleness = MAX_STALENESS_MS;
    t.copy.state = 'disconnected';
    expect((await get(t.app, ME, token)).status).toBe(200); // cached from here on

    t.copy.staleness = MAX_STALENESS_MS + 1;
    expectRevocationUnavailable(await get(t.app, ME, token));
    expectRevocationUnavailable(await get(t.app, ME, idToken())); // not cached: verified first

    t.copy.staleness = 200;
    t.copy.state = 'live';
    expect((await get(t.app, ME, token)).status).toBe(200);
  });

  it('answers 503 before the first full load', async () => {
    const t = harness();
    t.copy.staleness = Infinity;
    t.copy.state = 'connecting';
    expectRevocationUnavailable(await get(t.app, ADMIN, idToken()));
  });

  it('still refuses an invalid token with 401 and a known revoked token with 401', async () => {
    const t = harness();
    const iat = nowSeconds() - 10;
    t.copy.revokeUser(SUB, iat + 1);
    t.copy.staleness = Infinity;
    const forged = `${idToken().slice(0, -4)}AAAA`;
    expect((await get(t.app, ME, forged)).body.error.code).toBe('invalid_token');
    expectRevoked(await get(t.app, ME, idToken({ iat })), 'x');
  });

  it('serves from the last copy, however old, in fail-open mode, and still refuses what it knows', async () => {
    const t = harness(true);
    const iat = nowSeconds() - 10;
    t.copy.staleness = Infinity;
    t.copy.state = 'connecting';
    expect((await get(t.app, ME, idToken())).status).toBe(200);

    t.copy.revokeUser(SUB, iat + 1);
    t.copy.staleness = 3_600_000;
    t.copy.state = 'disconnected';
    expectRevoked(await get(t.app, ME, idToken({ iat })), 'x');
    expect((await get(t.app, ADMIN, idToken({ iat: iat + 1 }))).status).toBe(200);
  });

  it('reads the copy with lookups only: the status snapshot is for /readyz alone', async () => {
    const t = harness();
    for (let i = 0; i < 3; i += 1) expect((await get(t.app, ADMIN, idToken())).status).toBe(200);
    expect(t.copy.statusCalls).toBe(0);
  });
});

describe('GET /readyz with revocation checks', () => {
  it('reports the state, staleness, entries and mode of the copy', async () => {
    const t = harness();
    t.copy.revokeUser(SUB, nowSeconds());
    t.copy.revokeSession('origin-1');
    t.copy.staleness = 1234;
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ready',
      keys: { ageSeconds: expect.any(Number), jwks: 'reachable' },
      revocations: {
        state: 'live',
        stalenessMs: 1234,
        entries: 2,
        mode: 'fail-closed',
        maxStalenessMs: MAX_STALENESS_MS,
      },
    });
  });

  it('answers 503 revocation_unavailable past the bound in fail-closed mode, saying how stale', async () => {
    const t = harness();
    t.copy.staleness = 75_000;
    t.copy.state = 'disconnected';
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error.code).toBe('revocation_unavailable');
    expect(res.body.error.message).toContain('75.0 s ago');
    expect(res.body.error.message).toContain('disconnected');

    t.copy.staleness = Infinity;
    t.copy.state = 'connecting';
    const unloaded = await request(t.app).get('/readyz');
    expect(unloaded.status).toBe(503);
    expect(unloaded.body.error.message).toContain('has not been loaded yet');
  });

  it('stays ready in fail-open mode and says how stale the copy is', async () => {
    const t = harness(true);
    t.copy.staleness = 75_000;
    t.copy.state = 'disconnected';
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.revocations).toMatchObject({
      state: 'disconnected',
      stalenessMs: 75_000,
      mode: 'fail-open',
    });
  });
});
