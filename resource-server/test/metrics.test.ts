import { createLogger, Lifecycle } from '@authstack/shared';
import { parseMetricsText, sampleValue } from '@authstack/shared/http/metrics-text';
import { LogCapture } from '@authstack/shared/testing';
import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../src/app';
import { RevocationCheck } from '../src/domain/revocation-check';
import { TokenVerifier } from '../src/domain/token-verifier';
import { ResourceServerMetrics } from '../src/metrics';
import { inMemoryJwks, verifierOptions } from './support/verifier-options';
import { createTestKey, idTokenClaims, signedToken, type TestKey } from './support/tokens';

const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Metrics1';
const CLIENT_ID = 'metricsclient0000000000001';

/** The app as server.ts builds it with METRICS_ENABLED: its own registry, its verifier observed. */
async function appWithMetrics(key: TestKey): Promise<Express> {
  const metrics = new ResourceServerMetrics();
  const logger = createLogger({ name: 'resource-server', destination: new LogCapture() });
  const verifier = new TokenVerifier(
    verifierOptions(
      { issuer: ISSUER, clientIds: [CLIENT_ID], source: inMemoryJwks(key) },
      { logger, observer: metrics.verifierObserver },
    ),
  );
  await verifier.load();
  return buildApp({
    verifier,
    revocations: RevocationCheck.off(),
    logger,
    lifecycle: new Lifecycle(),
    stage: 'v1',
    metrics,
  });
}

async function scrape(app: Express) {
  const response = await request(app).get('/metrics').expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(response.headers['cache-control']).toBe('no-store');
  const samples = parseMetricsText(response.text);
  return (name: string, labels?: Record<string, string>) => sampleValue(samples, name, labels);
}

describe('ResourceServerMetrics', () => {
  it('gives every app in a process its own registry: each counts only its own requests', async () => {
    const key = createTestKey();
    const [first, second] = [await appWithMetrics(key), await appWithMetrics(key)];
    const token = signedToken(key, idTokenClaims({ issuer: ISSUER, clientId: CLIENT_ID }));

    for (let i = 0; i < 3; i += 1) {
      await request(first)
        .get('/v1/api/users/me')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
    }
    await request(second).get('/v1/api/ping').expect(200);
    const [inFirst, inSecond] = [await scrape(first), await scrape(second)];

    const me = { method: 'GET', route: '/v1/api/users/me', status_class: '2xx' };
    const ping = { method: 'GET', route: '/v1/api/ping', status_class: '2xx' };
    expect([inFirst('http_requests_total', me), inFirst('http_requests_total', ping)]).toEqual([
      3, 0,
    ]);
    expect([inSecond('http_requests_total', me), inSecond('http_requests_total', ping)]).toEqual([
      0, 1,
    ]);
    expect(inFirst('token_cache_total', { result: 'miss' })).toBe(1);
    expect(inFirst('token_cache_total', { result: 'hit' })).toBe(2);
    expect(inSecond('token_cache_total', { result: 'hit' })).toBe(0);
    expect(inFirst('jwks_refreshes_total', { outcome: 'ok' })).toBe(1);
  });

  it('does not count its own scrapes, and labels HEAD and 404s like any request', async () => {
    const app = await appWithMetrics(createTestKey());
    await scrape(app);
    await request(app).head('/v1/api/ping').expect(200);
    await request(app).get('/v1/api/nope').expect(404);
    const value = await scrape(app);

    expect(value('http_requests_total', { route: '/metrics' })).toBe(0);
    expect(
      value('http_requests_total', { method: 'HEAD', route: '/v1/api/ping', status_class: '2xx' }),
    ).toBe(1);
    expect(
      value('http_requests_total', { method: 'GET', route: 'unmatched', status_class: '4xx' }),
    ).toBe(1);
  });
});
