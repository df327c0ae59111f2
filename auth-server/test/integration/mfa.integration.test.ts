import { setTimeout as sleep } from 'node:timers/promises';
import { freshStateDatabase, type FreshStateDatabase } from '@authstack/shared/testing';
import { createTestUserPool, startLocalPool } from '@authstack/local-pool/testing';
import { STEP_MS, totpCode } from '@authstack/local-pool/testing/totp-codes';
import type { Express } from 'express';
import request from 'supertest';
import type { StateStoreDeps } from '../../src/app';
import { atStartOfSecond, claimsOf, revocationsOf } from './revocation-helpers';
import {
  bearer,
  API,
  NO_LIMITS,
  PASSWORD,
  connectStateStore,
  createApp,
  createInvitedUser,
  makeAdmin,
  signInRequest,
  signUp,
  uniqueEmail,
  type AppOptions,
  type LocalPool,
  type SignedUp,
  type TestApp,
  type TestUserPool,
} from './harness';

/** Challenge sessions of the pool live this long, so that the expiry can be waited for. */
const SESSION_SECONDS = 4;

let pool: LocalPool;
let db: FreshStateDatabase;
let stateStore: StateStoreDeps;
/** MfaConfiguration OPTIONAL: each user chooses. */
let optionalPool: TestUserPool;
/** MfaConfiguration ON: every user signs in with a code, enrolling at the first sign-in. */
let requiredPool: TestUserPool;
let api: TestApp;

beforeAll(async () => {
  [pool, db] = await Promise.all([
    startLocalPool({ env: { LOCAL_POOL_AUTH_SESSION_SECONDS: String(SESSION_SECONDS) } }),
    freshStateDatabase({ migrate: true }),
  ]);
  [optionalPool, requiredPool] = await Promise.all([
    createTestUserPool(pool, { mfaConfiguration: 'OPTIONAL' }),
    createTestUserPool(pool, { mfaConfiguration: 'ON' }),
  ]);
  stateStore = connectStateStore(db.url);
  api = createApp(pool, optionalPool, { stateStore });
});

afterAll(async () => {
  await stateStore?.db.end();
  await Promise.all([db?.stop(), pool?.stop()]);
});

/**
 * The code an authenticator shows `steps` 30-second steps from now. The pool accepts one
 * step of drift either way and never the same step twice, so a test uses -1 (enrolment),
 * 0, then +1 for three codes in a row without waiting for the clock.
 */
const codeAt = (secret: string, steps = 0): string =>
  totpCode(secret, Date.now() + steps * STEP_MS);

/** A six-digit code that is none of those the pool would accept now. */
function wrongCode(secret: string): string {
  const accepted = new Set([-1, 0, 1].map((steps) => codeAt(secret, steps)));
  for (let candidate = 0; ; candidate += 1) {
    const code = String(candidate).padStart(6, '0');
    if (!accepted.has(code)) return code;
  }
}

/** Waits out the last second of a 30-second step, so codes computed now stay valid a while. */
async function awayFromStepBoundary(): Promise<void> {
  const left = STEP_MS - (Date.now() % STEP_MS);
  if (left < 1_500) await sleep(left + 100);
}

interface Enrolled extends SignedUp {
  secret: string;
}

/** A new user with TOTP enrolled through the API (its code of step -1 used up). */
async function enrolledUser(app: Express = api.app): Promise<Enrolled> {
  const user = await signUp(app, uniqueEmail('mfa'));
  const started = await request(app)
    .post(`${API}/user/mfa/enrolment`)
    .set(bearer(user.accessToken))
    .expect(200);
  const secret = started.body.secret as string;
  await awayFromStepBoundary();
  await request(app)
    .post(`${API}/user/mfa/enrolment/confirm`)
    .set(bearer(user.accessToken))
    .send({ code: codeAt(secret, -1), deviceName: 'Test phone' })
    .expect(204);
  return { ...user, secret };
}

/** Signs in with the password: the totp_required session. */
async function challengeSession(app: Express, user: SignedUp): Promise<string> {
  const response = await signInRequest(app, user.email, user.password).expect(200);
  expect(response.body.challenge).toBe('totp_required');
  return response.body.session as string;
}

const answerTotp = (app: Express, email: string, session: string, code: string) =>
  request(app).post(`${API}/user/signin/totp`).send({ email, session, code });

describe('POST /v1/api/user/mfa/enrolment and /enrolment/confirm', () => {
  it('returns the secret, an otpauth URI naming the issuer and the email, and a QR code; a code of it turns MFA on', async () => {
    const user = await signUp(api.app, uniqueEmail('enrol'));
    const started = await request(api.app)
      .post(`${API}/user/mfa/enrolment`)
      .set(bearer(user.accessToken));
    expect(started.status).toBe(200);
    expect(Object.keys(started.body).sort()).toEqual(['otpauthUri', 'qrCode', 'secret']);
    const { secret, otpauthUri, qrCode } = started.body as {
      secret: string;
      otpauthUri: string;
      qrCode: string;
    };
    expect(secret).toMatch(/^[A-Z2-7]{52}$/);
    const uri = new URL(otpauthUri);
    expect([uri.protocol, uri.host]).toEqual(['otpauth:', 'totp']);
    expect(decodeURIComponent(uri.pathname)).toBe(`/authstack-test:${user.email.toLowerCase()}`);
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret,
      issuer: 'authstack-test',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
    expect(qrCode).toMatch(/^data:image\/svg\+xml;base64,/);

    const wrong = await request(api.app)
      .post(`${API}/user/mfa/enrolment/confirm`)
      .set(bearer(user.accessToken))
      .send({ code: wrongCode(secret) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_code');
    const me = await request(api.app).get(`${API}/user/me`).set(bearer(user.accessToken));
    expect(me.body.mfaEnabled).toBe(false);

    await request(api.app)
      .post(`${API}/user/mfa/enrolment/confirm`)
      .set(bearer(user.accessToken))
      .send({ code: codeAt(secret).replace(/(\d{3})/, '$1 ') })
      .expect(204);
    const after = await request(api.app).get(`${API}/user/me`).set(bearer(user.accessToken));
    expect(after.body.mfaEnabled).toBe(true);
  });

  it('answers 409 enrolment_not_started for a code before any enrolment', async () => {
    const user = await signUp(api.app, uniqueEmail('enrol'));
    const response = await request(api.app)
      .post(`${API}/user/mfa/enrolment/confirm`)
      .set(bearer(user.accessToken))
      .send({ code: '123456' });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('enrolment_not_started');
  });

  it('answers 400 validation_failed for a code that is not six digits, before asking the pool', async () => {
    const user = await signUp(api.app, uniqueEmail('enrol'));
    const response = await request(api.app)
      .post(`${API}/user/mfa/enrolment/confirm`)
      .set(bearer(user.accessToken))
      .send({ code: '12345a' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
  });

  it('answers 403 mfa_disabled with MFA_MODE=off, and where the pool has TOTP turned off', async () => {
    const off = createApp(pool, optionalPool, { mfaMode: 'off' });
    const user = await signUp(off.app, uniqueEmail('off'));
    const start = await request(off.app)
      .post(`${API}/user/mfa/enrolment`)
      .set(bearer(user.accessToken));
    const confirm = await request(off.app)
      .post(`${API}/user/mfa/enrolment/confirm`)
      .set(bearer(user.accessToken))
      .send({ code: '123456' });
    for (const response of [start, confirm]) {
      expect(response.status).toBe(403);
      expect(response.body.error).toMatchObject({
        code: 'mfa_disabled',
        message: 'Multi-factor sign-in is not offered by this service.',
      });
    }

    const noTotpPool = await createTestUserPool(pool);
    const plain = createApp(pool, noTotpPool);
    const other = await signUp(plain.app, uniqueEmail('nototp'));
    const response = await request(plain.app)
      .post(`${API}/user/mfa/enrolment`)
      .set(bearer(other.accessToken));
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('mfa_disabled');
  });
});

describe('sign-in with MFA on (POST /v1/api/user/signin, then /user/signin/totp)', () => {
  it('answers 200 totp_required with a session and no tokens; the code completes it with the tokens', async () => {
    const user = await enrolledUser();
    const signIn = await signInRequest(api.app, user.email, user.password);
    expect(signIn.status).toBe(200);
    expect(Object.keys(signIn.body).sort()).toEqual(['challenge', 'session']);
    expect(signIn.body.challenge).toBe('totp_required');

    const done = await answerTotp(api.app, user.email, signIn.body.session, codeAt(user.secret));
    expect(done.status).toBe(200);
    expect(Object.keys(done.body).sort()).toEqual(
      ['accessToken', 'expiresIn', 'idToken', 'refreshToken', 'tokenType'].sort(),
    );
    const me = await request(api.app).get(`${API}/user/me`).set(bearer(done.body.accessToken));
    expect(me.body).toMatchObject({ sub: user.sub, mfaEnabled: true });
  });

  it('answers a wrong code 400 invalid_code and keeps the session for another try', async () => {
    const user = await enrolledUser();
    const session = await challengeSession(api.app, user);
    const wrong = await answerTotp(api.app, user.email, session, wrongCode(user.secret));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({
      code: 'invalid_code',
      message: 'The code is not valid: enter the current code of the authenticator app.',
    });
    await answerTotp(api.app, user.email, session, codeAt(user.secret)).expect(200);
  });

  it('answers a code already used 400 code_already_used; the next code works', async () => {
    const user = await enrolledUser();
    const code = codeAt(user.secret);
    await answerTotp(api.app, user.email, await challengeSession(api.app, user), code).expect(200);

    const session = await challengeSession(api.app, user);
    const replay = await answerTotp(api.app, user.email, session, code);
    expect(replay.status).toBe(400);
    expect(replay.body.error.code).toBe('code_already_used');
    await answerTotp(api.app, user.email, session, codeAt(user.secret, 1)).expect(200);
  });

  it('answers 401 invalid_session for a used, a forged, and another user’s session', async () => {
    const user = await enrolledUser();
    const other = await enrolledUser();
    const session = await challengeSession(api.app, user);
    await answerTotp(api.app, user.email, session, codeAt(user.secret)).expect(200);

    const used = await answerTotp(api.app, user.email, session, codeAt(user.secret, 1));
    const forged = await answerTotp(api.app, user.email, 'x'.repeat(64), codeAt(user.secret, 1));
    const foreign = await answerTotp(
      api.app,
      other.email,
      await challengeSession(api.app, user),
      codeAt(other.secret),
    );
    for (const response of [used, forged, foreign]) {
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('invalid_session');
    }
  });

  it('answers 401 invalid_session once the session has expired', async () => {
    const user = await enrolledUser();
    const session = await challengeSession(api.app, user);
    await sleep(SESSION_SECONDS * 1000 + 300);
    const late = await answerTotp(api.app, user.email, session, codeAt(user.secret));
    expect(late.status).toBe(401);
    expect(late.body.error).toMatchObject({
      code: 'invalid_session',
      message: 'The sign-in session is invalid or has expired; sign in again.',
    });
  });

  it("keeps iat's one-second rule: tokens completed right after a revocation are issued after it", async () => {
    const user = await enrolledUser();
    const session = await challengeSession(api.app, user);
    await atStartOfSecond();
    const notBefore = await stateStore.revocations.revokeUser(user.sub);
    const done = await answerTotp(api.app, user.email, session, codeAt(user.secret)).set(
      'X-Request-Id',
      'same-second-totp',
    );
    expect(done.status).toBe(200);
    expect(claimsOf(done.body.accessToken).iat).toBeGreaterThanOrEqual(notBefore);
    expect(claimsOf(done.body.idToken).iat).toBeGreaterThanOrEqual(notBefore);
    expect(await revocationsOf(stateStore.db, user.sub)).toHaveLength(1);
    const reissued = api.logs
      .records()
      .filter(
        (record) =>
          record.requestId === 'same-second-totp' &&
          record.msg === 'tokens issued in the second of a revocation; refreshed after it',
      );
    expect(reissued).toHaveLength(1);
  });

  it('works with an app client that has a secret (SECRET_HASH on the challenge answer)', async () => {
    const withSecret = await createTestUserPool(pool, {
      mfaConfiguration: 'OPTIONAL',
      generateSecret: true,
    });
    expect(withSecret.clientSecret).toEqual(expect.any(String));
    const app = createApp(pool, withSecret).app;
    const user = await enrolledUser(app);
    const session = await challengeSession(app, user);
    const done = await answerTotp(app, user.email, session, codeAt(user.secret));
    expect(done.status).toBe(200);
    expect(claimsOf(done.body.accessToken).sub).toBe(user.sub);
  });

  it('never logs the secret, a code or a session', async () => {
    const logged = createApp(pool, optionalPool);
    const user = await enrolledUser(logged.app);
    const session = await challengeSession(logged.app, user);
    const code = codeAt(user.secret);
    await answerTotp(logged.app, user.email, session, wrongCode(user.secret)).expect(400);
    await answerTotp(logged.app, user.email, session, code).expect(200);
    const text = JSON.stringify(logged.logs.records());
    expect(text).toContain('POST');
    for (const secret of [user.secret, session, code, user.password]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('POST /v1/api/user/password/change with MFA on', () => {
  it('ends every session and answers this device the totp_required challenge; its code gives the new tokens', async () => {
    const user = await enrolledUser();
    const changed = await request(api.app)
      .post(`${API}/user/password/change`)
      .set(bearer(user.accessToken))
      .send({ previousPassword: user.password, proposedPassword: 'Changed-Passw0rd!1' });
    expect(changed.status).toBe(200);
    expect(Object.keys(changed.body).sort()).toEqual(['challenge', 'session']);
    expect(changed.body.challenge).toBe('totp_required');

    await request(api.app).get(`${API}/user/me`).set(bearer(user.accessToken)).expect(401);
    await request(api.app)
      .post(`${API}/user/token/refresh`)
      .send({ refreshToken: user.refreshToken })
      .expect(401);
    const done = await answerTotp(api.app, user.email, changed.body.session, codeAt(user.secret));
    expect(done.status).toBe(200);
    await request(api.app).get(`${API}/user/me`).set(bearer(done.body.accessToken)).expect(200);
  });
});

describe('POST /v1/api/user/mfa/disable', () => {
  it('needs the password: a wrong one is 400 incorrect_password and MFA stays on; the right one turns it off', async () => {
    const user = await enrolledUser();
    const wrong = await request(api.app)
      .post(`${API}/user/mfa/disable`)
      .set(bearer(user.accessToken))
      .send({ password: 'Not-The-Passw0rd!' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('incorrect_password');
    expect((await challengeSession(api.app, user)).length).toBeGreaterThan(0);

    await request(api.app)
      .post(`${API}/user/mfa/disable`)
      .set(bearer(user.accessToken))
      .send({ password: user.password })
      .expect(204);
    const signIn = await signInRequest(api.app, user.email, user.password).expect(200);
    expect(signIn.body.accessToken).toEqual(expect.any(String));
    const me = await request(api.app).get(`${API}/user/me`).set(bearer(signIn.body.accessToken));
    expect(me.body.mfaEnabled).toBe(false);
  });

  it('answers 401 without an access token: the password alone does not do', async () => {
    const response = await request(api.app)
      .post(`${API}/user/mfa/disable`)
      .send({ password: PASSWORD });
    expect(response.status).toBe(401);
  });
});

describe('DELETE /v1/api/admin/users/{email}/mfa', () => {
  it("turns the user's MFA off: the next sign-in needs the password only; 404 for an unknown user", async () => {
    const admin = await signUp(api.app, uniqueEmail('admin'));
    await makeAdmin(pool, optionalPool, admin.email.toLowerCase());
    const user = await enrolledUser();
    await request(api.app)
      .delete(`${API}/admin/users/${encodeURIComponent(user.email)}/mfa`)
      .set(bearer(admin.accessToken))
      .expect(204);
    const signIn = await signInRequest(api.app, user.email, user.password).expect(200);
    expect(signIn.body.accessToken).toEqual(expect.any(String));

    const unknown = await request(api.app)
      .delete(`${API}/admin/users/${encodeURIComponent(uniqueEmail('nobody'))}/mfa`)
      .set(bearer(admin.accessToken));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('user_not_found');

    const notAdmin = await request(api.app)
      .delete(`${API}/admin/users/${encodeURIComponent(user.email)}/mfa`)
      .set(bearer(signIn.body.accessToken));
    expect(notAdmin.status).toBe(403);
  });
});

describe('a pool that requires MFA (MfaConfiguration ON, MFA_MODE=required)', () => {
  let required: TestApp;
  beforeAll(() => {
    required = createApp(pool, requiredPool, { mfaMode: 'required', stateStore });
  });

  it('answers the first sign-in (here: auto sign-up) with the enrolment; its first code completes it', async () => {
    const email = uniqueEmail('required');
    const signUpResponse = await request(required.app)
      .post(`${API}/user`)
      .send({ email, name: 'Required', password: PASSWORD });
    expect(signUpResponse.status).toBe(201);
    expect(signUpResponse.body).toEqual({
      sub: expect.any(String),
      confirmed: true,
      challenge: 'totp_enrolment_required',
      session: expect.any(String),
      secret: expect.stringMatching(/^[A-Z2-7]{52}$/),
      otpauthUri: expect.stringContaining('otpauth://totp/authstack-test:'),
      qrCode: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
    });
    const { session, secret } = signUpResponse.body as { session: string; secret: string };
    const enrol = (code: string) =>
      request(required.app)
        .post(`${API}/user/signin/totp/enrolment`)
        .send({ email, session, code, deviceName: 'Phone' });

    const wrong = await enrol(wrongCode(secret));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_code');
    await awayFromStepBoundary();
    const done = await enrol(codeAt(secret, -1));
    expect(done.status).toBe(200);
    const me = await request(required.app).get(`${API}/user/me`).set(bearer(done.body.accessToken));
    expect(me.body).toMatchObject({ sub: signUpResponse.body.sub, mfaEnabled: true });

    const user = { email, password: PASSWORD } as SignedUp;
    const next = await challengeSession(required.app, user);
    await answerTotp(required.app, email, next, codeAt(secret)).expect(200);
  });

  it('asks an invited user for the enrolment after the new password', async () => {
    const email = uniqueEmail('invited');
    await createInvitedUser(pool, requiredPool, email, 'Temporary-Passw0rd!');
    const signIn = await signInRequest(required.app, email, 'Temporary-Passw0rd!').expect(403);
    const newPassword = await request(required.app)
      .post(`${API}/user/password/new`)
      .send({ email, session: signIn.body.error.session, newPassword: 'Chosen-Passw0rd!' });
    expect(newPassword.status).toBe(200);
    expect(newPassword.body).toMatchObject({
      challenge: 'totp_enrolment_required',
      session: expect.any(String),
      secret: expect.any(String),
    });
    await request(required.app)
      .post(`${API}/user/signin/totp/enrolment`)
      .send({
        email,
        session: newPassword.body.session,
        code: codeAt(newPassword.body.secret as string),
      })
      .expect(200);
  });

  it('refuses to turn MFA off (the user) or reset it (an admin) with 409 mfa_required, saying why', async () => {
    const email = uniqueEmail('required');
    const created = await request(required.app)
      .post(`${API}/user`)
      .send({ email, name: 'R', password: PASSWORD })
      .expect(201);
    const tokens = await request(required.app)
      .post(`${API}/user/signin/totp/enrolment`)
      .send({ email, session: created.body.session, code: codeAt(created.body.secret as string) })
      .expect(200);
    await makeAdmin(pool, requiredPool, email.toLowerCase());

    const turnOff = await request(required.app)
      .post(`${API}/user/mfa/disable`)
      .set(bearer(tokens.body.accessToken))
      .send({ password: PASSWORD });
    expect(turnOff.status).toBe(409);
    expect(turnOff.body.error).toMatchObject({
      code: 'mfa_required',
      message:
        'This service requires multi-factor sign-in of everyone, so it cannot be turned off.',
    });

    const reset = await request(required.app)
      .delete(`${API}/admin/users/${encodeURIComponent(email)}/mfa`)
      .set(bearer(tokens.body.accessToken));
    expect(reset.status).toBe(409);
    expect(reset.body.error.code).toBe('mfa_required');
    expect(reset.body.error.message).toMatch(/Cognito has no way to remove a user’s authenticator/);
  });
});

describe('rate limits on MFA codes', () => {
  const limited = (options: AppOptions = {}): TestApp =>
    createApp(pool, optionalPool, {
      rateLimits: { ...NO_LIMITS, mfaFailuresPerSession: 2, mfaFailuresPerUser: 3 },
      ...options,
    });

  function expectLimited(response: request.Response): void {
    expect(response.status).toBe(429);
    expect(response.body.error.code).toBe('too_many_requests');
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60);
  }

  it.each([
    ['in the shared state store, across instances', true],
    ['per process, without a state store', false],
  ])('counts wrong codes per session and per user %s', async (_where, shared) => {
    const first = limited(shared ? { stateStore } : {});
    const second = limited(shared ? { stateStore } : {});
    const user = await enrolledUser(first.app);

    const session = await challengeSession(first.app, user);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await answerTotp(first.app, user.email, session, wrongCode(user.secret)).expect(400);
    }
    // The session has had its two wrong codes: even the right code is refused, on the
    // instance that counted them, and on another one only when the count is shared.
    expectLimited(await answerTotp(first.app, user.email, session, codeAt(user.secret)));
    const onSecond = await answerTotp(second.app, user.email, session, codeAt(user.secret));
    if (shared) {
      expectLimited(onSecond);
      // The user's third wrong code, in a new session, reaches the user limit.
      const next = await challengeSession(first.app, user);
      await answerTotp(first.app, user.email, next, wrongCode(user.secret)).expect(400);
      expectLimited(await answerTotp(first.app, user.email, next, codeAt(user.secret)));
      const another = await challengeSession(second.app, user);
      expectLimited(await answerTotp(second.app, user.email, another, codeAt(user.secret)));
    } else {
      expect(onSecond.status).toBe(200);
    }
  });

  it('counts only wrong codes: dead sessions and replays never reach the limit', async () => {
    const app = limited({ stateStore }).app;
    const user = await enrolledUser(app);
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const response = await answerTotp(app, user.email, 'x'.repeat(64), codeAt(user.secret));
      expect(response.status).toBe(401);
    }
    const code = codeAt(user.secret);
    await answerTotp(app, user.email, await challengeSession(app, user), code).expect(200);
    const session = await challengeSession(app, user);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const replay = await answerTotp(app, user.email, session, code);
      expect(replay.body.error.code).toBe('code_already_used');
    }
    await answerTotp(app, user.email, session, codeAt(user.secret, 1)).expect(200);
  });

  it('counts wrong codes of an enrolment against the user too', async () => {
    const app = limited({ stateStore }).app;
    const user = await signUp(app, uniqueEmail('enrol-limit'));
    const started = await request(app)
      .post(`${API}/user/mfa/enrolment`)
      .set(bearer(user.accessToken))
      .expect(200);
    const confirm = (code: string) =>
      request(app)
        .post(`${API}/user/mfa/enrolment/confirm`)
        .set(bearer(user.accessToken))
        .send({ code });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await confirm(wrongCode(started.body.secret as string)).expect(400);
    }
    expectLimited(await confirm(codeAt(started.body.secret as string)));
  });
});

describe('GET /v1/api/openapi.json', () => {
  it('shows the MFA routes with their error codes', async () => {
    const { body } = await request(api.app).get(`${API}/openapi.json`).expect(200);
    const paths = body.paths as Record<
      string,
      Record<string, { responses: Record<string, { description: string }> }>
    >;
    expect(paths['/user/signin/totp']?.post?.responses['400']?.description).toBe(
      'Error codes: invalid_code, code_already_used, validation_failed, invalid_json',
    );
    expect(paths['/user/signin/totp']?.post?.responses['401']?.description).toMatch(
      /invalid_session/,
    );
    expect(paths['/user/signin/totp/enrolment']?.post?.responses['429']).toBeDefined();
    expect(paths['/user/mfa/enrolment']?.post?.responses['403']?.description).toMatch(
      /mfa_disabled/,
    );
    expect(paths['/user/mfa/enrolment/confirm']?.post?.responses['409']?.description).toMatch(
      /enrolment_not_started/,
    );
    expect(paths['/user/mfa/disable']?.post?.responses['409']?.description).toMatch(/mfa_required/);
    expect(paths['/admin/users/{email}/mfa']?.delete?.responses['409']?.description).toMatch(
      /mfa_required/,
    );
    expect(body.components.schemas.SignInResponse).toBeDefined();
  });
});
