import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createConfirmedUser } from '@authstack/local-pool';
import {
  createTestUserPool,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { scrapeMetrics, type Scrape } from '@authstack/shared/http/metrics-text';
import { freshStateDatabase, type FreshStateDatabase } from '@authstack/shared/testing';
import { call, startResourceServer, type ServerProcess } from '../../../scripts/testing/servers';

const PASSWORD = 'Metrics-Passw0rd!';
const MAX_STALENESS_SECONDS = 60;

let localPool: SharedLocalPool;
let userPool: TestUserPool;
let stateDb: FreshStateDatabase;
/** With a state store (revocation checks on). */
let server: ServerProcess;
let withoutMetrics: ServerProcess;
let email: string;
let sub: string;
let signIns = 0;

async function signIn(): Promise<{ idToken: string; accessToken: string }> {
  const { AuthenticationResult: result } = await localPool.client.send(
    new InitiateAuthCommand({
      ClientId: userPool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD },
    }),
  );
  signIns += 1;
  return { idToken: result?.IdToken ?? '', accessToken: result?.AccessToken ?? '' };
}

beforeAll(async () => {
  [localPool, stateDb] = await Promise.all([
    sharedLocalPool(),
    freshStateDatabase({ migrate: true }),
  ]);
  userPool = await createTestUserPool(localPool);
  email = `metrics.${process.pid}.${Date.now()}@example.com`;
  ({ sub } = await createConfirmedUser(localPool.client, userPool.userPoolId, {
    email,
    password: PASSWORD,
  }));
  [server, withoutMetrics] = await Promise.all([
    startResourceServer({
      poolEndpoint: localPool.endpoint,
      userPool,
      stateDatabaseUrl: stateDb.url,
      env: {
        REVOCATION_MAX_STALENESS_SECONDS: String(MAX_STALENESS_SECONDS),
        LOG_LEVEL: 'warn',
      },
    }),
    startResourceServer({
      poolEndpoint: localPool.endpoint,
      userPool,
      env: { METRICS_ENABLED: 'false', LOG_LEVEL: 'warn' },
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([server?.stop(), withoutMetrics?.stop()]);
  await Promise.all([localPool?.stop(), stateDb?.stop()]);
});

const me = (token?: string) => call('GET', `${server.api}/users/me`, { token });

/** How much each sample grew between two scrapes. */
const grew =
  (before: Scrape, after: Scrape) =>
  (name: string, labels: Record<string, string> = {}): number =>
    after.value(name, labels) - before.value(name, labels);

/** The token with one character of its signature changed. */
function tampered(token: string): string {
  const at = token.lastIndexOf('.') + 10;
  const swapped = token[at] === 'A' ? 'B' : 'A';
  return `${token.slice(0, at)}${swapped}${token.slice(at + 1)}`;
}

describe('GET /metrics on the resource-server', () => {
  it('counts a cache miss then hits for one token, and each refused token by its reason', async () => {
    const { idToken } = await signIn();
    const before = await scrapeMetrics(server.base);

    for (let request = 0; request < 4; request += 1) {
      const answer = await me(idToken);
      expect(answer.status).toBe(200);
      expect(answer.body.sub).toBe(sub);
    }
    expect((await me('not-a-jwt')).status).toBe(401);
    expect((await me(tampered(idToken))).status).toBe(401);
    expect((await me()).status).toBe(401);
    const after = await scrapeMetrics(server.base);
    const delta = grew(before, after);

    expect(delta('token_cache_total', { result: 'hit' })).toBe(3);
    // The first use of the token, and each refused token: none of them was verified before.
    expect(delta('token_cache_total', { result: 'miss' })).toBe(3);
    const failures = after.samples.filter(
      (sample) => sample.name === 'token_verification_failures_total',
    );
    expect(
      Object.fromEntries(
        failures.map(({ labels }) => [
          labels.reason,
          delta('token_verification_failures_total', { reason: labels.reason ?? '' }),
        ]),
      ),
    ).toEqual({
      malformed: 1,
      unsupported_algorithm: 0,
      unknown_key: 0,
      bad_signature: 1,
      expired: 0,
      not_yet_valid: 0,
      issued_in_future: 0,
      wrong_issuer: 0,
      wrong_audience: 0,
      wrong_token_use: 0,
      invalid_claims: 0,
      revoked: 0,
    });
    const route = { method: 'GET', route: '/v1/api/users/me' };
    expect(delta('http_requests_total', { ...route, status_class: '2xx' })).toBe(4);
    expect(delta('http_requests_total', { ...route, status_class: '4xx' })).toBe(3);
    expect(delta('http_request_duration_seconds_count', { ...route, status_class: '2xx' })).toBe(4);
    expect(after.samples.find((sample) => sample.name === 'http_requests_total')?.labels).toEqual(
      expect.objectContaining({ service: 'resource-server' }),
    );
  });

  it('shows the JWKS fetched once at start, the age of its keys, and how stale the revocation copy is', async () => {
    const scrape = await scrapeMetrics(server.base);

    expect(scrape.value('jwks_refreshes_total', { outcome: 'ok' })).toBe(1);
    expect(scrape.value('jwks_refreshes_total', { outcome: 'error' })).toBe(0);
    const keyAge = scrape.value('jwks_key_age_seconds');
    expect(keyAge).toBeGreaterThanOrEqual(0);
    expect(keyAge).toBeLessThan(300);
    const staleness = scrape.value('revocation_staleness_seconds');
    expect(staleness).toBeGreaterThanOrEqual(0);
    expect(staleness).toBeLessThan(MAX_STALENESS_SECONDS);
  });

  it('labels every request with its route template: 200 random paths add no series', async () => {
    const series = (scrape: Scrape) =>
      scrape.samples.filter((sample) => sample.name.startsWith('http_')).length;
    const randomSegment = () => Math.random().toString(36).slice(2);
    await call('GET', `${server.api}/${randomSegment()}`);
    const before = await scrapeMetrics(server.base);

    const segments = Array.from({ length: 200 }, randomSegment);
    for (const [index, segment] of segments.entries()) {
      const url = index % 2 === 0 ? `${server.api}/${segment}` : `${server.base}/${segment}`;
      expect((await call('GET', url)).status).toBe(404);
    }
    const after = await scrapeMetrics(server.base);

    expect(series(after)).toBe(series(before));
    expect(
      grew(before, after)('http_requests_total', {
        method: 'GET',
        route: 'unmatched',
        status_class: '4xx',
      }),
    ).toBe(200);
    for (const segment of segments) expect(after.text).not.toContain(segment);
  });

  it('shows no token, password or email in the scrape', async () => {
    const { idToken, accessToken } = await signIn();
    expect((await me(idToken)).status).toBe(200);
    expect((await me(accessToken)).status).toBe(200);
    expect((await me(tampered(accessToken))).status).toBe(401);
    const { text } = await scrapeMetrics(server.base);

    expect(signIns).toBeGreaterThan(1);
    for (const secret of [idToken, accessToken, ...idToken.split('.'), PASSWORD, email, sub]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/eyJ[\w-]{10,}/);
  });

  it('serves nothing at /metrics with METRICS_ENABLED=false: 404 in the house error shape', async () => {
    const answer = await call('GET', `${withoutMetrics.base}/metrics`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      error: { code: 'not_found', message: 'No such route.', requestId: expect.any(String) },
    });
    const { idToken } = await signIn();
    expect((await call('GET', `${withoutMetrics.api}/users/me`, { token: idToken })).status).toBe(
      200,
    );
    expect((await call('GET', `${server.api}/metrics`)).status).toBe(404);
  });
});
