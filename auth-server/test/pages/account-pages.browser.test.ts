/**
 * The account pages walked in headless Chromium as a person would: type, click, read.
 * Every part is real and runs as its own process: the built auth-server (three of them:
 * auto sign-up, code sign-up, MFA required), the resource-server, the local pool, the
 * trigger's invoke server and the legacy Postgres. Codes come from the pool's outbox.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createTestUserPool,
  readOutbox,
  startLocalPool,
  type LocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { STEP_MS, totpCode } from '@authstack/local-pool/testing/totp-codes';
import {
  DEMO_LEGACY_USERS,
  freshLegacyDatabase,
  startTriggerInvokeServer,
  type FreshLegacyDatabase,
  type TriggerInvokeServer,
} from '@authstack/trigger/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  call,
  startAuthServer,
  startResourceServer,
  type ServerProcess,
} from '../../../scripts/testing/servers';
import {
  createInvitedUser,
  markEmailVerified,
  PASSWORD,
  uniqueEmail,
} from '../integration/harness';
import {
  launchBrowser,
  PHONE,
  screenshot,
  scrollsSideways,
  seriousAccessibilityViolations,
} from './browser';

const ACCOUNT = '/v1/account';
const NEW_PASSWORD = 'Another-Horse-7?';

let legacyDb: FreshLegacyDatabase;
let trigger: TriggerInvokeServer;
let pool: LocalPool;
let userPool: TestUserPool;
let mfaPool: TestUserPool;
let auth: ServerProcess;
let authCode: ServerProcess;
let authMfa: ServerProcess;
let resource: ServerProcess;
let browser: Browser;
let otherSite: Server;
/** Where the other site's form posts: set once the auth-server is up. */
let otherSiteTarget = '';

beforeAll(async () => {
  [legacyDb, browser] = await Promise.all([freshLegacyDatabase(), launchBrowser()]);
  trigger = await startTriggerInvokeServer({ legacyDatabaseUrl: legacyDb.url });
  pool = await startLocalPool({ lambdaEndpoint: trigger.endpoint });
  userPool = await createTestUserPool(pool, {
    userMigrationLambdaArn: trigger.functionArn,
    mfaConfiguration: 'OPTIONAL',
  });
  mfaPool = await createTestUserPool(pool, { mfaConfiguration: 'ON' });
  const common = { poolEndpoint: pool.endpoint, userPool };
  otherSite = await startOtherSite();
  const cors = { CORS_ORIGINS: otherSiteOrigin() };
  resource = await startResourceServer({ ...common, env: cors });
  // Plain http locally: a browser keeps no Secure cookie from http://127.0.0.1.
  // Every test signs up from 127.0.0.1: a budget that the whole file stays under.
  const local = { ACCOUNT_COOKIE_SECURE: 'false', ACCOUNT_MAX_REQUESTS_PER_IP: '200' };
  [auth, authCode, authMfa] = await Promise.all([
    startAuthServer({
      ...common,
      env: { ...local, ...cors, ACCOUNT_RESOURCE_API_URL: resource.api },
    }),
    startAuthServer({ ...common, env: { ...local, SIGNUP_CONFIRMATION: 'code' } }),
    startAuthServer({
      poolEndpoint: pool.endpoint,
      userPool: mfaPool,
      env: { ...local, MFA_MODE: 'required' },
    }),
  ]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => otherSite?.close(resolve));
  await Promise.all([auth?.stop(), authCode?.stop(), authMfa?.stop(), resource?.stop()]);
  await pool?.stop();
  await trigger?.stop();
  await legacyDb?.stop();
});

/**
 * Another site (`localhost`, not `127.0.0.1`): a page with a form that posts to the account
 * pages, and an empty page whose origin CORS_ORIGINS allows.
 */
async function startOtherSite(): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      req.url === '/form'
        ? `<!doctype html><title>Win a prize</title><form method="post" action="${otherSiteTarget}"><button>Claim</button></form>`
        : '<!doctype html><title>A front-end</title>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const otherSiteOrigin = () => `http://localhost:${(otherSite.address() as AddressInfo).port}`;

/** A fresh browser profile on a phone-sized screen. */
async function newPhone(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: PHONE });
  return { context, page: await context.newPage() };
}

/** Checks the page as everyone should meet it: no serious axe finding, no sideways scroll. */
async function expectUsable(page: Page): Promise<void> {
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
  expect(await scrollsSideways(page)).toBe(false);
}

const heading = (page: Page) => page.locator('h1').innerText();
const alertText = (page: Page) => page.locator('.error-summary').innerText();
const noticeText = (page: Page) => page.locator('.notice').innerText();

/** Submits the form of the button named `button`; resolves with the POST's status. */
async function submit(page: Page, button: string): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((answer) => answer.request().method() === 'POST'),
    page.getByRole('button', { name: button }).click(),
  ]);
  await page.waitForLoadState();
  return response.status();
}

async function signUpInBrowser(
  page: Page,
  server: ServerProcess,
  email: string,
  name = 'Ada Lovelace',
) {
  await page.goto(`${server.base}${ACCOUNT}/signup`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  return submit(page, 'Create account');
}

async function signInInBrowser(
  page: Page,
  server: ServerProcess,
  email: string,
  password = PASSWORD,
) {
  await page.goto(`${server.base}${ACCOUNT}/signin`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  return submit(page, 'Sign in');
}

/** The cookie of `name` in the context. */
async function cookie(context: BrowserContext, name: string) {
  return (await context.cookies()).find((entry) => entry.name === name);
}

/** The refresh token the browser holds (the test reads the cookie jar; no script can). */
async function refreshTokenOf(context: BrowserContext): Promise<string> {
  const value = decodeURIComponent((await cookie(context, 'authstack_refresh'))?.value ?? '');
  return (JSON.parse(value.replace(/^j:/, '')) as { refreshToken: string }).refreshToken;
}

const codeAt = (secret: string, steps = 0): string =>
  totpCode(secret, Date.now() + steps * STEP_MS);
function wrongCode(secret: string): string {
  const accepted = new Set([-1, 0, 1].map((steps) => codeAt(secret, steps)));
  for (let candidate = 0; ; candidate += 1) {
    const code = String(candidate).padStart(6, '0');
    if (!accepted.has(code)) return code;
  }
}
async function awayFromStepBoundary(): Promise<void> {
  const left = STEP_MS - (Date.now() % STEP_MS);
  if (left < 1_500) await sleep(left + 100);
}

async function latestCode(email: string): Promise<string> {
  const [message] = await readOutbox(pool.endpoint, email.toLowerCase());
  if (message?.code === undefined) throw new Error(`no code was sent to ${email}`);
  return message.code;
}

describe('account pages in a browser', () => {
  it('signs up and shows the profile; the session lives in HttpOnly, SameSite=Strict, path-scoped cookies no script can read; markup in a name is shown as text', async () => {
    const { context, page } = await newPhone();
    const email = uniqueEmail('page');
    await page.goto(`${auth.base}${ACCOUNT}/signup`);
    await expectUsable(page);
    await screenshot(page, 'sign-up');

    const xss = '<img src=x onerror="window.__xss=1">Ada';
    expect(await signUpInBrowser(page, auth, email, xss)).toBe(303);
    expect(page.url()).toBe(`${auth.base}${ACCOUNT}/profile`);
    expect(await heading(page)).toBe('Your account');
    await expect(page.getByText(email.toLowerCase())).toBeTruthy();
    expect(await page.locator('dl.profile').innerText()).toContain(xss);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await expectUsable(page);

    const access = await cookie(context, 'authstack_access');
    const refresh = await cookie(context, 'authstack_refresh');
    expect(access).toMatchObject({
      httpOnly: true,
      secure: false,
      sameSite: 'Strict',
      path: ACCOUNT,
    });
    expect(refresh).toMatchObject({
      httpOnly: true,
      secure: false,
      sameSite: 'Strict',
      path: `${ACCOUNT}/session`,
    });
    expect(await cookie(context, 'authstack_csrf')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
    expect(await page.content()).not.toContain(access?.value ?? 'no token');
    await context.close();
  });

  it('calls the resource API with the same session and shows its /users/me', async () => {
    const { context, page } = await newPhone();
    const email = uniqueEmail('resource');
    await signUpInBrowser(page, auth, email);
    expect(await submit(page, 'Call the resource API')).toBe(200);
    expect(await page.locator('#resource-status').innerText()).toBe(
      'The resource API answered 200.',
    );
    const sub = await page.locator('dl.profile code').innerText();
    expect(JSON.parse(await page.locator('pre.answer').innerText())).toMatchObject({
      sub,
      tokenUse: 'access',
    });
    await screenshot(page, 'profile');
    await context.close();
  });

  it('answers an unknown email and a wrong password with the same page, and shows the sign-in page accessibly', async () => {
    const { context, page } = await newPhone();
    const email = uniqueEmail('known');
    await call('POST', `${auth.api}/user`, { body: { email, name: 'Known', password: PASSWORD } });

    const wrongStatus = await signInInBrowser(page, auth, email, 'Wrong-Password-1!');
    const wrongAlert = await alertText(page);
    await expectUsable(page);
    await screenshot(page, 'sign-in-error');
    const unknownStatus = await signInInBrowser(
      page,
      auth,
      uniqueEmail('nobody'),
      'Wrong-Password-1!',
    );
    expect([wrongStatus, unknownStatus]).toEqual([401, 401]);
    expect(await alertText(page)).toBe(wrongAlert);
    expect(wrongAlert).toBe('Incorrect email or password.');
    expect(await page.getByLabel('Password').inputValue()).toBe('');

    await page.goto(`${auth.base}${ACCOUNT}/signin`);
    await expectUsable(page);
    await screenshot(page, 'sign-in');
    await context.close();
  });

  it('signs a legacy user in for the first time: the pool migrates them on the way', async () => {
    const { context, page } = await newPhone();
    const [legacy] = DEMO_LEGACY_USERS;
    if (legacy === undefined) throw new Error('no demo legacy user');
    expect(await signInInBrowser(page, auth, legacy.email, legacy.password)).toBe(303);
    expect(await heading(page)).toBe('Your account');
    expect(await page.locator('dl.profile').innerText()).toContain(legacy.name);
    await context.close();
  });

  it('has an invited user choose a new password at the first sign-in, refusing a weak one on its field', async () => {
    const { context, page } = await newPhone();
    const email = uniqueEmail('invited');
    await createInvitedUser(pool, userPool, email, 'Temporary-Passw0rd!');
    expect(await signInInBrowser(page, auth, email, 'Temporary-Passw0rd!')).toBe(303);
    expect(await heading(page)).toBe('Choose a new password');
    await page.getByLabel('New password').fill('short');
    expect(await submit(page, 'Set password and sign in')).toBe(400);
    const field = page.getByLabel('New password');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await alertText(page)).toMatch(/^newPassword: /);
    await expectUsable(page);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    expect(await submit(page, 'Set password and sign in')).toBe(303);
    expect(await heading(page)).toBe('Your account');
    await context.close();
  });

  it('signs up with an emailed code where SIGNUP_CONFIRMATION=code, then signs in', async () => {
    const { context, page } = await newPhone();
    const email = uniqueEmail('code');
    expect(await signUpInBrowser(page, authCode, email)).toBe(200);
    expect(await heading(page)).toBe('Confirm your email');
    await expectUsable(page);

    await page.getByLabel('Code', { exact: true }).fill('000000');
    expect(await submit(page, 'Confirm')).toBe(400);
    const codeInput = page.getByLabel('Code', { exact: true });
    expect(await codeInput.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await codeInput.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`#${describedBy}`).innerText()).toBe(await alertText(page));
    await expectUsable(page);

    await page.getByLabel('Code', { exact: true }).fill(await latestCode(email));
    expect(await submit(page, 'Confirm')).toBe(303);
    expect(await noticeText(page)).toBe('Your email is confirmed; sign in now.');
    expect(await signInInBrowser(page, authCode, email)).toBe(303);
    expect(await heading(page)).toBe('Your account');
    await context.close();
  });

  it('resets a forgotten password with the emailed code, saying what the API says', async () => {
    const { context, page } = await newPhone();
    const email = uniqueEmail('forgot');
    await call('POST', `${auth.api}/user`, {
      body: { email, name: 'Forgetful', password: PASSWORD },
    });
    await markEmailVerified(pool, userPool, email);
    const api = await call('POST', `${auth.api}/user/password/forgot`, {
      body: { email: uniqueEmail('x') },
    });

    await page.goto(`${auth.base}${ACCOUNT}/forgot`);
    await expectUsable(page);
    await page.getByLabel('Email').fill(email);
    expect(await submit(page, 'Send code')).toBe(200);
    expect(await noticeText(page)).toBe(api.body.message);
    await page.getByLabel('Code from the email').fill(await latestCode(email));
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await expectUsable(page);
    expect(await submit(page, 'Set new password')).toBe(303);
    expect(await noticeText(page)).toBe('Your new password is set; sign in with it.');
    expect(await signInInBrowser(page, auth, email, NEW_PASSWORD)).toBe(303);
    expect(await heading(page)).toBe('Your account');
    await context.close();
  });

  it('changes the password: a wrong current one is tied to its field; the right one signs every other session out and keeps this one', async () => {
    const { context, page } = await newPhone();
    const email = uniqueEmail('change');
    await signUpInBrowser(page, auth, email);
    const oldRefresh = await refreshTokenOf(context);

    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByLabel('Current password').fill('Not-The-Password-1!');
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    expect(await submit(page, 'Change password')).toBe(400);
    const current = page.getByLabel('Current password');
    expect(await current.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate('document.activeElement.id')).toBe('previousPassword');
    await expectUsable(page);
    await screenshot(page, 'change-password-error');

    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    expect(await submit(page, 'Change password')).toBe(303);
    expect(await noticeText(page)).toContain('Your password is changed.');
    expect(
      (await call('POST', `${auth.api}/user/token/refresh`, { body: { refreshToken: oldRefresh } }))
        .status,
    ).toBe(401);
    await page.reload();
    expect(await heading(page)).toBe('Your account');
    await context.close();
  });

  it('adds an authenticator app from its QR code; the next sign-in asks for a code and refuses a wrong one', async () => {
    const { context, page } = await newPhone();
    const email = uniqueEmail('mfa');
    await signUpInBrowser(page, auth, email);
    expect(await submit(page, 'Add an authenticator app')).toBe(303);
    expect(await heading(page)).toBe('Add an authenticator app');
    const qr = page.getByRole('img', { name: /QR code/ });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    const loaded = (img: { complete: boolean; naturalWidth: number }) =>
      img.complete && img.naturalWidth > 0;
    expect(await qr.evaluate(loaded)).toBe(true);
    const secret = await page.locator('code.secret').innerText();
    await expectUsable(page);
    await screenshot(page, 'mfa-enrolment');

    await awayFromStepBoundary();
    await page.getByLabel('Code from your authenticator app').fill(codeAt(secret, -1));
    expect(await submit(page, 'Turn on multi-factor sign-in')).toBe(303);
    expect(await noticeText(page)).toContain('Multi-factor sign-in is on');
    expect(await page.locator('dl.profile').innerText()).toContain('On (authenticator app)');
    await context.close();

    const other = await newPhone();
    expect(await signInInBrowser(other.page, auth, email)).toBe(303);
    expect(await heading(other.page)).toBe('Enter your code');
    await expectUsable(other.page);
    await screenshot(other.page, 'mfa-code');
    await other.page.getByLabel('Code from your authenticator app').fill(wrongCode(secret));
    expect(await submit(other.page, 'Continue')).toBe(400);
    expect(
      await other.page.getByLabel('Code from your authenticator app').getAttribute('aria-invalid'),
    ).toBe('true');
    await awayFromStepBoundary();
    await other.page.getByLabel('Code from your authenticator app').fill(codeAt(secret, 0));
    expect(await submit(other.page, 'Continue')).toBe(303);
    expect(await heading(other.page)).toBe('Your account');
    expect(await cookie(other.context, 'authstack_challenge')).toBeUndefined();
    await other.context.close();
  });

  it('enrols an authenticator at sign-up where the service requires MFA', async () => {
    const { context, page } = await newPhone();
    expect(await signUpInBrowser(page, authMfa, uniqueEmail('required'))).toBe(303);
    expect(page.url()).toBe(`${authMfa.base}${ACCOUNT}/signin/enrol`);
    const challenge = await cookie(context, 'authstack_challenge');
    expect(challenge).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: `${ACCOUNT}/signin`,
    });
    const secret = await page.locator('code.secret').innerText();
    await expectUsable(page);
    await awayFromStepBoundary();
    await page.getByLabel('Code from your authenticator app').fill(codeAt(secret, -1));
    expect(await submit(page, 'Add and sign in')).toBe(303);
    expect(await heading(page)).toBe('Your account');
    expect(await page.locator('dl.profile').innerText()).toContain('On (authenticator app)');
    await context.close();
  });

  it('signs out on this device: the cookies are cleared and the refresh token is revoked', async () => {
    const { context, page } = await newPhone();
    await signUpInBrowser(page, auth, uniqueEmail('signout'));
    const refreshToken = await refreshTokenOf(context);
    expect(await submit(page, 'Sign out on this device')).toBe(303);
    expect(await noticeText(page)).toBe('You are signed out on this device.');
    const names = (await context.cookies()).map((entry) => entry.name);
    expect(names).not.toContain('authstack_access');
    expect(names).not.toContain('authstack_refresh');
    expect(
      (await call('POST', `${auth.api}/user/token/refresh`, { body: { refreshToken } })).status,
    ).toBe(401);
    await page.goto(`${auth.base}${ACCOUNT}/profile`);
    expect(await heading(page)).toBe('Sign in');
    await context.close();
  });

  it('signs out everywhere: another browser signed in as the same user is signed out too', async () => {
    const email = uniqueEmail('everywhere');
    const first = await newPhone();
    const second = await newPhone();
    await signUpInBrowser(first.page, auth, email);
    await signInInBrowser(second.page, auth, email);
    expect(await heading(second.page)).toBe('Your account');

    expect(await submit(first.page, 'Sign out everywhere')).toBe(303);
    expect(await noticeText(first.page)).toBe('You are signed out everywhere.');
    await second.page.goto(`${auth.base}${ACCOUNT}/profile`);
    expect(await heading(second.page)).toBe('Sign in');
    await Promise.all([first.context.close(), second.context.close()]);
  });

  it('refuses a form posted from another site (403) and a same-site post without the CSRF token', async () => {
    const { context, page } = await newPhone();
    await signUpInBrowser(page, auth, uniqueEmail('csrf'));

    otherSiteTarget = `${auth.base}${ACCOUNT}/session/signout-everywhere`;
    await page.goto(`${otherSiteOrigin()}/form`);
    expect(await submit(page, 'Claim')).toBe(403);
    await page.goto(`${auth.base}${ACCOUNT}/profile`);
    expect(await heading(page)).toBe('Your account');

    const forged = await Promise.all([
      page.waitForResponse((answer) => answer.request().method() === 'POST'),
      page.evaluate(`(() => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '${ACCOUNT}/session/signout-everywhere';
        document.body.append(form);
        form.submit();
      })()`),
    ]);
    expect(forged[0].status()).toBe(403);
    await page.waitForLoadState();
    expect(await heading(page)).toBe('Request refused');
    await page.goto(`${auth.base}${ACCOUNT}/profile`);
    expect(await heading(page)).toBe('Your account');
    await context.close();
  });

  it('holds a strict CSP: no frames, and an injected inline script does not run', async () => {
    const { context, page } = await newPhone();
    const response = await page.goto(`${auth.base}${ACCOUNT}/signin`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const ran = await page.evaluate(`new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (event) =>
        resolve({ ran: window.__ran === true, directive: event.effectiveDirective }),
      );
      const script = document.createElement('script');
      script.textContent = 'window.__ran = true';
      document.body.append(script);
    })`);
    expect(ran).toEqual({ ran: false, directive: 'script-src-elem' });
    await context.close();
  });

  it('lets a front-end on a CORS_ORIGINS origin call both APIs with a bearer token, and no other origin', async () => {
    const email = uniqueEmail('cors');
    const signedUp = await call('POST', `${auth.api}/user`, {
      body: { email, name: 'Front End', password: PASSWORD },
    });
    const accessToken = String(signedUp.body.accessToken);
    const { context, page } = await newPhone();
    const fetchMe = (url: string) =>
      page.evaluate(
        `fetch(${JSON.stringify(url)}, { headers: { authorization: 'Bearer ${accessToken}' } })
          .then((response) => response.status, (error) => error.name)`,
      );
    await page.goto(`${otherSiteOrigin()}/`);
    expect(await fetchMe(`${resource.api}/users/me`)).toBe(200);
    expect(await fetchMe(`${auth.api}/user/me`)).toBe(200);
    expect(await fetchMe(`${authCode.api}/user/me`)).toBe('TypeError');
    await page.goto(`${auth.base}${ACCOUNT}/signin`);
    expect(await fetchMe(`${resource.api}/users/me`)).toBe('TypeError');
    await context.close();
  });
});
