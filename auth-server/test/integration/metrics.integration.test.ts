import { AdminResetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createTestUserPool, sharedLocalPool } from '@authstack/local-pool/testing';
import { scrapeMetrics, type Scrape } from '@authstack/shared/http/metrics-text';
import { call, startAuthServer, type ServerProcess } from '../../../scripts/testing/servers';
import {
  createInvitedUser,
  markEmailVerified,
  PASSWORD,
  uniqueEmail,
  type SharedLocalPool,
  type TestUserPool,
} from './harness';
import { startSlowProxy, type SlowProxy } from './slow-proxy';

let pool: SharedLocalPool;
let userPool: TestUserPool;
let proxy: SlowProxy;
/** Through `proxy`, so a test can make the pool slow; sign-in limited to 3 failures per email. */
let server: ServerProcess;
let withoutMetrics: ServerProcess;

const WRONG = 'Wrong-Passw0rd!';
const FAILURES_PER_EMAIL = 3;
/** Every secret the tests send or receive, none of which may appear in a scrape. */
const secrets: string[] = [WRONG, PASSWORD];

beforeAll(async () => {
  pool = await sharedLocalPool();
  userPool = await createTestUserPool(pool);
  proxy = await startSlowProxy(pool.endpoint);
  [server, withoutMetrics] = await Promise.all([
    startAuthServer({
      poolEndpoint: proxy.url,
      userPool,
      env: {
        SIGNIN_MAX_FAILURES_PER_EMAIL: String(FAILURES_PER_EMAIL),
        SIGNIN_MAX_FAILURES_PER_IP: '0',
        ACCOUNT_MAX_REQUESTS_PER_IP: '0',
        LOG_LEVEL: 'warn',
      },
    }),
    startAuthServer({
      poolEndpoint: pool.endpoint,
      userPool,
      env: { METRICS_ENABLED: 'false', LOG_LEVEL: 'warn' },
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([server?.stop(), withoutMetrics?.stop()]);
  await proxy?.close();
  await pool?.stop();
});

interface SignedUp {
  email: string;
  tokens: string[];
}

async function signUp(): Promise<SignedUp> {
  const email = uniqueEmail('metrics');
  const answer = await call('POST', `${server.api}/user`, {
    body: { email, name: 'Metrics User', password: PASSWORD },
  });
  expect(answer.status).toBe(201);
  const { idToken, accessToken, refreshToken } = answer.body as Record<string, string>;
  const tokens = [idToken, accessToken, refreshToken].map(String);
  secrets.push(email, email.toLowerCase(), ...tokens);
  return { email, tokens };
}

async function signIn(email: string, password: string): Promise<number> {
  const answer = await call('POST', `${server.api}/user/signin`, { body: { email, password } });
  for (const value of Object.values(answer.body)) {
    if (typeof value === 'string' && value.length > 40) secrets.push(value);
  }
  return answer.status;
}

/** How much each sample grew between two scrapes. */
const grew =
  (before: Scrape, after: Scrape) =>
  (name: string, labels: Record<string, string> = {}): number =>
    after.value(name, labels) - before.value(name, labels);

const SIGN_IN_ROUTE = { method: 'POST', route: '/v1/api/user/signin' };

describe('GET /metrics on the auth-server', () => {
  it('counts each sign-in by outcome, each call to the pool, and each request by route template', async () => {
    const [alice, bob] = [await signUp(), await signUp()];
    const invited = uniqueEmail('invited');
    await createInvitedUser(pool, userPool, invited, 'Temporary-Passw0rd!');
    const resetting = await signUp();
    await markEmailVerified(pool, userPool, resetting.email);
    await pool.client.send(
      new AdminResetUserPasswordCommand({
        UserPoolId: userPool.userPoolId,
        Username: resetting.email.toLowerCase(),
      }),
    );
    const before = await scrapeMetrics(server.base);

    expect(await signIn(alice.email, PASSWORD)).toBe(200);
    expect(await signIn(alice.email, PASSWORD)).toBe(200);
    expect(await signIn(alice.email, WRONG)).toBe(401);
    for (let attempt = 0; attempt < FAILURES_PER_EMAIL; attempt += 1) {
      expect(await signIn(bob.email, WRONG)).toBe(401);
    }
    // The burst after the limit: refused before the pool is asked, the right password too.
    expect(await signIn(bob.email, WRONG)).toBe(429);
    expect(await signIn(bob.email, WRONG)).toBe(429);
    expect(await signIn(bob.email, PASSWORD)).toBe(429);
    expect(await signIn(invited, 'Temporary-Passw0rd!')).toBe(403);
    expect(await signIn(resetting.email, PASSWORD)).toBe(403);
    expect(await call('POST', `${server.api}/user/signin`, { body: { email: 'x' } })).toMatchObject(
      { status: 400 },
    );
    const after = await scrapeMetrics(server.base);
    const delta = grew(before, after);

    expect(
      Object.fromEntries(
        [
          'success',
          'challenge',
          'invalid_credentials',
          'rate_limited',
          'password_reset_required',
          'user_not_confirmed',
          'upstream_unavailable',
          'error',
        ].map((outcome) => [outcome, delta('auth_sign_ins_total', { outcome })]),
      ),
    ).toEqual({
      success: 2,
      challenge: 1,
      invalid_credentials: 4,
      rate_limited: 3,
      password_reset_required: 1,
      user_not_confirmed: 0,
      upstream_unavailable: 0,
      error: 0,
    });
    // The pool was asked 8 times: never for a refused burst or a bad request.
    const initiateAuth = (outcome: string) =>
      delta('cognito_requests_total', { operation: 'InitiateAuth', outcome });
    expect(initiateAuth('ok')).toBe(3);
    expect(initiateAuth('NotAuthorizedException')).toBe(4);
    expect(initiateAuth('PasswordResetRequiredException')).toBe(1);
    expect(delta('cognito_request_duration_seconds_count', { operation: 'InitiateAuth' })).toBe(8);
    const signIns = after.samples.filter((sample) => sample.name === 'auth_sign_ins_total');
    expect(signIns.map((sample) => sample.labels.service)).toEqual(
      signIns.map(() => 'auth-server'),
    );

    const requests = (statusClass: string) =>
      delta('http_requests_total', { ...SIGN_IN_ROUTE, status_class: statusClass });
    expect([requests('2xx'), requests('4xx'), requests('5xx')]).toEqual([2, 10, 0]);
    expect(
      delta('http_request_duration_seconds_count', { ...SIGN_IN_ROUTE, status_class: '4xx' }),
    ).toBe(10);
  });

  it('counts sign-ins through the account pages in the same counter', async () => {
    const erin = await signUp();
    const signInPage = async (password: string): Promise<number> => {
      const page = await fetch(`${server.base}/v1/account/signin`);
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
      const answer = await fetch(`${server.base}/v1/account/signin`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ _csrf: token, email: erin.email, password }),
      });
      await answer.body?.cancel();
      return answer.status;
    };
    const before = await scrapeMetrics(server.base);

    expect(await signInPage(PASSWORD)).toBe(303);
    for (let attempt = 0; attempt < FAILURES_PER_EMAIL; attempt += 1) {
      expect(await signInPage(WRONG)).toBe(401);
    }
    expect(await signInPage(PASSWORD)).toBe(429);
    const delta = grew(before, await scrapeMetrics(server.base));

    expect(delta('auth_sign_ins_total', { outcome: 'success' })).toBe(1);
    expect(delta('auth_sign_ins_total', { outcome: 'invalid_credentials' })).toBe(
      FAILURES_PER_EMAIL,
    );
    expect(delta('auth_sign_ins_total', { outcome: 'rate_limited' })).toBe(1);
    const page = { method: 'POST', route: '/v1/account/signin' };
    expect(delta('http_requests_total', { ...page, status_class: '3xx' })).toBe(1);
    expect(delta('http_requests_total', { ...page, status_class: '4xx' })).toBe(
      FAILURES_PER_EMAIL + 1,
    );
  });

  it('counts a sign-in the pool does not answer in time as upstream_unavailable, and the call by its error', async () => {
    const carol = await signUp();
    const before = await scrapeMetrics(server.base);
    proxy.delayNext('InitiateAuth', 4_000);
    expect(await signIn(carol.email, PASSWORD)).toBe(503);
    const delta = grew(before, await scrapeMetrics(server.base));

    expect(delta('auth_sign_ins_total', { outcome: 'upstream_unavailable' })).toBe(1);
    expect(delta('auth_sign_ins_total', { outcome: 'invalid_credentials' })).toBe(0);
    const timedOut =
      delta('cognito_requests_total', { operation: 'InitiateAuth', outcome: 'TimeoutError' }) +
      delta('cognito_requests_total', { operation: 'InitiateAuth', outcome: 'AbortError' });
    expect(timedOut).toBe(1);
    expect(delta('cognito_requests_total', { operation: 'InitiateAuth', outcome: 'ok' })).toBe(0);
  });

  it('labels every request with its route template: 200 random paths add no series', async () => {
    const series = (scrape: Scrape) =>
      scrape.samples.filter((sample) => sample.name.startsWith('http_')).length;
    const randomSegment = () => Math.random().toString(36).slice(2);
    await call('GET', `${server.api}/${randomSegment()}`);
    await call('DELETE', `${server.api}/admin/users/${randomSegment()}%40example.com`);
    const before = await scrapeMetrics(server.base);

    const segments = Array.from({ length: 100 }, randomSegment);
    const emails = Array.from({ length: 100 }, () => `${randomSegment()}@example.com`);
    for (const [index, segment] of segments.entries()) {
      const url = index % 2 === 0 ? `${server.api}/${segment}` : `${server.base}/${segment}`;
      expect((await call('GET', url)).status).toBe(404);
    }
    for (const email of emails) {
      const answer = await call('DELETE', `${server.api}/admin/users/${encodeURIComponent(email)}`);
      expect(answer.status).toBe(401);
    }
    const after = await scrapeMetrics(server.base);
    const delta = grew(before, after);

    expect(series(after)).toBe(series(before));
    expect(
      delta('http_requests_total', { method: 'GET', route: 'unmatched', status_class: '4xx' }),
    ).toBe(100);
    expect(
      delta('http_requests_total', {
        method: 'DELETE',
        route: '/v1/api/admin/users/:email',
        status_class: '4xx',
      }),
    ).toBe(100);
    for (const value of [...segments, ...emails]) expect(after.text).not.toContain(value);
  });

  it('shows no password, token or email in the scrape', async () => {
    const dave = await signUp();
    expect(await signIn(dave.email, PASSWORD)).toBe(200);
    expect(await signIn(dave.email, WRONG)).toBe(401);
    const { text } = await scrapeMetrics(server.base);

    expect(secrets.length).toBeGreaterThan(10);
    const leaked = secrets.filter((secret) => text.includes(secret));
    expect(leaked).toEqual([]);
    expect(text).not.toMatch(/@example\.com/i);
    expect(text).not.toMatch(/eyJ[\w-]{10,}/);
  });

  it('answers at /metrics, never under /v1/api', async () => {
    expect((await call('GET', `${server.api}/metrics`)).status).toBe(404);
    const { samples } = await scrapeMetrics(server.base);
    expect(samples.some((sample) => sample.name === 'process_cpu_seconds_total')).toBe(true);
  });

  it('serves nothing at /metrics with METRICS_ENABLED=false: 404 in the house error shape', async () => {
    const answer = await call('GET', `${withoutMetrics.base}/metrics`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      error: { code: 'not_found', message: 'No such route.', requestId: expect.any(String) },
    });
    expect((await call('GET', `${withoutMetrics.base}/readyz`)).status).toBe(200);
  });
});
