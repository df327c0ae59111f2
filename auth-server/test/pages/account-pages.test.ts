import {
  createTestUserPool,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import request from 'supertest';
import { appSettingsFrom, parseAuthServerConfig } from '../../src/config';
import {
  adminGetUser,
  createApp,
  PASSWORD,
  uniqueEmail,
  type TestApp,
} from '../integration/harness';

const ACCOUNT = '/v1/account';

let pool: SharedLocalPool;
let userPool: TestUserPool;
let api: TestApp;

beforeAll(async () => {
  pool = await sharedLocalPool();
  userPool = await createTestUserPool(pool);
  api = createApp(pool, userPool);
}, 60_000);

afterAll(async () => {
  await pool?.stop();
});

/** The sign-up page's CSRF cookie (`name=value`) and the token its form carries. */
async function formToken(): Promise<{ cookie: string; token: string }> {
  const page = await request(api.app).get(`${ACCOUNT}/signup`).expect(200);
  const cookie = String(page.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return { cookie, token };
}

describe('account pages with the default settings (production)', () => {
  it('serve HTML with a strict CSP, no framing, no caching and a Secure, HttpOnly, SameSite=Strict CSRF cookie', async () => {
    const page = await request(api.app).get(`${ACCOUNT}/signin`).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = page.headers['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('upgrade-insecure-requests');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toContain('no-store');
    expect(page.headers['set-cookie']).toEqual([
      expect.stringMatching(
        /^authstack_csrf=[^;]+; Path=\/v1\/account; HttpOnly; Secure; SameSite=Strict$/,
      ),
    ]);
  });

  it('sets the session cookies Secure, HttpOnly, SameSite=Strict, each on the path that needs it', async () => {
    const { cookie, token } = await formToken();
    const email = uniqueEmail('cookies');
    const signedUp = await request(api.app)
      .post(`${ACCOUNT}/signup`)
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: token, email, name: 'Cookie Monster', password: PASSWORD })
      .expect(303);
    expect(signedUp.headers.location).toBe(`${ACCOUNT}/profile`);
    const cookies = signedUp.headers['set-cookie'] as unknown as string[];
    const attributes = (name: string) =>
      cookies
        .find((line) => line.startsWith(`${name}=`))
        ?.split('; ')
        .slice(1)
        .filter((part) => !/^(Max-Age|Expires)=/.test(part));
    expect(attributes('authstack_access')).toEqual([
      `Path=${ACCOUNT}`,
      'HttpOnly',
      'Secure',
      'SameSite=Strict',
    ]);
    expect(attributes('authstack_refresh')).toEqual([
      `Path=${ACCOUNT}/session`,
      'HttpOnly',
      'Secure',
      'SameSite=Strict',
    ]);
    expect(signedUp.text).not.toMatch(/eyJ/);
  });

  it('refuses (403) a form from another origin, and one without its token, before anything is done', async () => {
    const { cookie, token } = await formToken();
    const crossSite = uniqueEmail('cross');
    const refused = await request(api.app)
      .post(`${ACCOUNT}/signup`)
      .set('Cookie', cookie)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ _csrf: token, email: crossSite, name: 'Evil', password: PASSWORD })
      .expect(403);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.text).toContain('This form did not come from this site');
    const noToken = uniqueEmail('notoken');
    await request(api.app)
      .post(`${ACCOUNT}/signup`)
      .set('Cookie', cookie)
      .type('form')
      .send({ email: noToken, name: 'Evil', password: PASSWORD })
      .expect(403);
    expect(await adminGetUser(pool, userPool, crossSite)).toBe('not found');
    expect(await adminGetUser(pool, userPool, noToken)).toBe('not found');
  });

  it('serves the API without CORS unless CORS_ORIGINS names an origin', async () => {
    const preflight = await request(api.app)
      .options('/v1/api/user/signin')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the account pages and CORS settings', () => {
  const required = {
    AWS_REGION: 'us-east-1',
    USER_POOL_ID: 'us-east-1_Ab12Cd',
    USER_POOL_CLIENT_ID: 'abc123client',
  };

  it('default to Secure cookies, no resource button and no CORS origin', () => {
    const settings = appSettingsFrom(parseAuthServerConfig(required));
    expect(settings.accountPages).toEqual({
      secureCookies: true,
      csrfSecret: undefined,
      resourceApiUrl: undefined,
    });
    expect(settings.corsOrigins).toEqual([]);
  });

  it('read a comma-separated list of origins, and refuse one with a path, naming CORS_ORIGINS', () => {
    const config = parseAuthServerConfig({
      ...required,
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      ACCOUNT_COOKIE_SECURE: 'false',
    });
    expect(appSettingsFrom(config)).toMatchObject({
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      accountPages: { secureCookies: false },
    });
    expect(() =>
      parseAuthServerConfig({ ...required, CORS_ORIGINS: 'https://app.example.com/path' }),
    ).toThrow(/CORS_ORIGINS/);
    expect(() => parseAuthServerConfig({ ...required, ACCOUNT_CSRF_SECRET: 'short' })).toThrow(
      /ACCOUNT_CSRF_SECRET/,
    );
  });
});
