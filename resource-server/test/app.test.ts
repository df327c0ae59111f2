import request from 'supertest';
import { JwksServer } from './support/jwks-server';
import { startTestApp, type TestApp } from './support/test-app';
import { accessTokenClaims, createTestKey, signedToken } from './support/tokens';

let jwks: JwksServer;
let t: TestApp;

beforeAll(async () => {
  jwks = await new JwksServer([createTestKey()]).start();
  t = await startTestApp(jwks);
});

afterAll(async () => {
  await jwks.stop();
});

describe('buildApp', () => {
  it('answers /healthz and /readyz once keys are loaded', async () => {
    expect((await request(t.app).get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await request(t.app).get('/readyz')).body).toEqual({
      status: 'ready',
      keys: { ageSeconds: 0, jwks: 'reachable' },
      revocations: {
        state: 'off',
        stalenessMs: null,
        entries: 0,
        mode: 'off',
        maxStalenessMs: null,
      },
    });
  });

  it('answers the unprotected ping without a token', async () => {
    const res = await request(t.app).get('/v1/api/ping');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('sends security headers and no X-Powered-By', async () => {
    const res = await request(t.app).get('/v1/api/ping');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers an unknown route with the one error body and the request id', async () => {
    const res = await request(t.app).get('/v1/api/nope').set('X-Request-Id', 'req-123');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: 'not_found', message: expect.any(String), requestId: 'req-123' },
    });
    expect(res.headers['x-request-id']).toBe('req-123');
  });

  it('turns readiness 503 when shutting down, while liveness stays 200', async () => {
    const { app, lifecycle } = await startTestApp(jwks);
    lifecycle.beginShutdown();
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('shutting_down');
    expect((await request(app).get('/healthz')).status).toBe(200);
  });

  it('reports a JWKS source that is down, and stays ready while the cached keys last', async () => {
    const source = await new JwksServer([createTestKey()]).start();
    try {
      const { app, clock } = await startTestApp(source);
      source.up = false;
      clock.advance(31);
      const unknownKid = signedToken(
        createTestKey(),
        accessTokenClaims({ issuer: source.issuer, clientId: 'testclient0000000000000001' }),
      );
      const refused = await request(app)
        .get('/v1/api/users/me')
        .set('Authorization', `Bearer ${unknownKid}`);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBeDefined();
      const ready = await request(app).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.keys).toEqual({ ageSeconds: 31, jwks: 'unreachable' });
      source.up = true;
      clock.advance(31);
      await request(app).get('/v1/api/users/me').set('Authorization', `Bearer ${unknownKid}`);
      expect((await request(app).get('/readyz')).body.keys).toEqual({
        ageSeconds: 0,
        jwks: 'reachable',
      });
    } finally {
      await source.stop();
    }
  });
});
