import { UpdateUserAttributesCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createTestUserPool, readOutbox, sharedLocalPool } from '@authstack/local-pool/testing';
import request from 'supertest';
import {
  bearer,
  API,
  PASSWORD,
  adminGetUser,
  createApp,
  createInvitedUser,
  markEmailVerified,
  send,
  signInRequest,
  signUp,
  uniqueEmail,
  withoutRequestId,
  type SharedLocalPool,
  type TestApp,
  type TestUserPool,
} from './harness';

let pool: SharedLocalPool;
let userPool: TestUserPool;
let api: TestApp;

beforeAll(async () => {
  pool = await sharedLocalPool();
  userPool = await createTestUserPool(pool);
  api = createApp(pool, userPool);
});

afterAll(async () => {
  await pool?.stop();
});

describe('POST /v1/api/user (SIGNUP_CONFIRMATION=auto)', () => {
  it('creates a confirmed user whose email is NOT verified (nothing proved it) and returns the tokens of a first sign-in', async () => {
    const email = uniqueEmail('signup');
    const response = await request(api.app)
      .post(`${API}/user`)
      .send({ email: `  ${email} `, name: 'Ada Lovelace', password: PASSWORD });

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      confirmed: true,
      sub: expect.any(String),
      idToken: expect.any(String),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: expect.any(Number),
      tokenType: 'Bearer',
    });
    const stored = await adminGetUser(pool, userPool, email);
    expect(stored).not.toBe('not found');
    if (stored === 'not found') return;
    expect(stored.UserStatus).toBe('CONFIRMED');
    const attributes = Object.fromEntries(
      (stored.UserAttributes ?? []).map((attribute) => [attribute.Name, attribute.Value]),
    );
    expect(attributes).toMatchObject({
      email: email.toLowerCase(),
      email_verified: 'false',
      name: 'Ada Lovelace',
      sub: response.body.sub,
    });
    const me = await request(api.app).get(`${API}/user/me`).set(bearer(response.body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body.emailVerified).toBe(false);
  });

  it('answers 409 email_taken for an existing email, whatever its case and blanks', async () => {
    const user = await signUp(api.app);
    const response = await request(api.app)
      .post(`${API}/user`)
      .send({ email: ` ${user.email.toUpperCase()}`, name: 'Again', password: PASSWORD });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('email_taken');
  });

  it('names every password rule that fails and creates no user', async () => {
    const email = uniqueEmail('weak');
    const response = await request(api.app)
      .post(`${API}/user`)
      .send({ email, name: 'Weak', password: 'short' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'weak_password',
      message:
        'password: Password not long enough; Password must have uppercase characters; Password must have numeric characters; Password must have symbol characters.',
    });
    await expect(adminGetUser(pool, userPool, email)).resolves.toBe('not found');
  });
});

describe('password policy', () => {
  it("is the pool's own (read with DescribeUserPool), and the message names each failed rule", async () => {
    const strictPool = await createTestUserPool(pool, {
      passwordPolicy: {
        MinimumLength: 14,
        RequireUppercase: false,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: false,
      },
    });
    const strict = createApp(pool, strictPool);
    const tooShort = await request(strict.app)
      .post(`${API}/user`)
      .send({ email: uniqueEmail('policy'), name: 'P', password: 'Abcdefg-123!' });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error.message).toBe('password: Password not long enough.');

    const fine = await request(strict.app)
      .post(`${API}/user`)
      .send({ email: uniqueEmail('policy'), name: 'P', password: 'all lower case 1' });
    expect(fine.status).toBe(201);
  });
});

describe('POST /v1/api/user/signin', () => {
  it('returns the tokens for the right password, with the email in any case', async () => {
    const user = await signUp(api.app);
    const response = await signInRequest(api.app, user.email.toUpperCase(), user.password);
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(
      ['accessToken', 'expiresIn', 'idToken', 'refreshToken', 'tokenType'].sort(),
    );
    expect(response.body.tokenType).toBe('Bearer');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('returns 401 with the same body for an unknown user and a wrong password', async () => {
    const user = await signUp(api.app);
    const wrong = await signInRequest(api.app, user.email, 'Wrong-Passw0rd!');
    const unknown = await signInRequest(api.app, uniqueEmail('nobody'), 'Wrong-Passw0rd!');

    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(withoutRequestId(wrong.body)).toEqual(withoutRequestId(unknown.body));
    expect(wrong.body.error).toEqual({
      code: 'invalid_credentials',
      message: 'Incorrect email or password.',
      requestId: wrong.headers['x-request-id'],
    });
    expect(Object.keys(wrong.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
  });

  it('answers 403 new_password_required with a session, and /user/password/new completes it', async () => {
    const email = uniqueEmail('invited');
    await createInvitedUser(pool, userPool, email, 'Temporary-Passw0rd!');

    const signIn = await signInRequest(api.app, email, 'Temporary-Passw0rd!');
    expect(signIn.status).toBe(403);
    expect(signIn.body.error).toMatchObject({
      code: 'new_password_required',
      session: expect.any(String),
      requestId: signIn.headers['x-request-id'],
    });

    const weak = await request(api.app)
      .post(`${API}/user/password/new`)
      .send({ email, session: signIn.body.error.session, newPassword: 'weakpassword' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('weak_password');
    expect(weak.body.error.message).toMatch(/^newPassword: /);

    const complete = await request(api.app)
      .post(`${API}/user/password/new`)
      .send({ email, session: signIn.body.error.session, newPassword: 'Chosen-Passw0rd!' });
    expect(complete.status).toBe(200);
    expect(complete.body.accessToken).toEqual(expect.any(String));

    const again = await signInRequest(api.app, email, 'Chosen-Passw0rd!');
    expect(again.status).toBe(200);
  });

  it('refuses a forged session for the new-password step with 401 invalid_session', async () => {
    const email = uniqueEmail('invited');
    await createInvitedUser(pool, userPool, email, 'Temporary-Passw0rd!');
    const response = await request(api.app)
      .post(`${API}/user/password/new`)
      .send({ email, session: 'x'.repeat(64), newPassword: 'Chosen-Passw0rd!' });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_session');
  });
});

describe('POST /v1/api/user/token/refresh', () => {
  it('returns new id and access tokens and no refresh token', async () => {
    const user = await signUp(api.app);
    const response = await request(api.app)
      .post(`${API}/user/token/refresh`)
      .send({ refreshToken: user.refreshToken });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(
      ['accessToken', 'expiresIn', 'idToken', 'tokenType'].sort(),
    );
    const me = await request(api.app).get(`${API}/user/me`).set(bearer(response.body.accessToken));
    expect(me.status).toBe(200);
    expect(me.body.sub).toBe(user.sub);
  });

  it('answers 401 invalid_refresh_token for a token the pool did not issue', async () => {
    const response = await request(api.app)
      .post(`${API}/user/token/refresh`)
      .send({ refreshToken: 'not-a-refresh-token' });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_refresh_token');
  });
});

describe('GET /v1/api/user/me', () => {
  it('returns the user as the pool knows them', async () => {
    const user = await signUp(api.app);
    const response = await request(api.app).get(`${API}/user/me`).set(bearer(user.accessToken));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      sub: user.sub,
      email: user.email.toLowerCase(),
      name: user.name,
      emailVerified: false,
      mfaEnabled: false,
      groups: [],
    });
  });

  it('refuses the id token, a tampered token and a missing header with 401 invalid_token', async () => {
    const user = await signUp(api.app);
    const [header, payload, signature] = user.accessToken.split('.');
    const tampered = `${header}.${payload}x.${signature}`;
    for (const headers of [bearer(user.idToken), bearer(tampered), {}]) {
      const response = await request(api.app).get(`${API}/user/me`).set(headers);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('invalid_token');
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
  });
});

describe('GET and POST /v1/api/user/signout', () => {
  it.each(['get', 'post'] as const)(
    '%s signs out everywhere: 204, then the access and refresh tokens are refused',
    async (method) => {
      const user = await signUp(api.app);
      const other = await signInRequest(api.app, user.email, user.password);

      const signOut = await send(api.app, method, `${API}/user/signout`).set(
        bearer(user.accessToken),
      );
      expect(signOut.status).toBe(204);
      expect(signOut.text).toBe('');

      const me = await request(api.app).get(`${API}/user/me`).set(bearer(user.accessToken));
      expect(me.status).toBe(401);
      expect(me.body.error.code).toBe('invalid_token');
      const refresh = await request(api.app)
        .post(`${API}/user/token/refresh`)
        .send({ refreshToken: other.body.refreshToken });
      expect(refresh.status).toBe(401);

      const signInAgain = await signInRequest(api.app, user.email, user.password);
      expect(signInAgain.status).toBe(200);
    },
  );

  it('answers 401 without a token', async () => {
    const response = await request(api.app).post(`${API}/user/signout`);
    expect(response.status).toBe(401);
  });
});

describe('forgot and reset password', () => {
  it('answers 202 with the same body for a known and an unknown email', async () => {
    const user = await signUp(api.app);
    const known = await request(api.app)
      .post(`${API}/user/password/forgot`)
      .send({ email: user.email });
    const unknown = await request(api.app)
      .post(`${API}/user/password/forgot`)
      .send({ email: uniqueEmail('nobody') });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    expect(Object.keys(known.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
  });

  it('resets the password with the emailed code: 204, new password works, old one does not', async () => {
    const user = await signUp(api.app);
    await markEmailVerified(pool, userPool, user.email);
    await request(api.app)
      .post(`${API}/user/password/forgot`)
      .send({ email: user.email })
      .expect(202);
    const [message] = await readOutbox(pool.endpoint, user.email.toLowerCase());
    expect(message?.code).toEqual(expect.any(String));

    const wrongCode = await request(api.app)
      .post(`${API}/user/password/reset`)
      .send({ email: user.email, code: '000000x', newPassword: 'Brand-New-Passw0rd!' });
    expect(wrongCode.status).toBe(400);
    expect(wrongCode.body.error.code).toBe('invalid_code');

    const weak = await request(api.app)
      .post(`${API}/user/password/reset`)
      .send({ email: user.email, code: message?.code, newPassword: 'Brandnewpassword' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.message).toBe(
      'newPassword: Password must have numeric characters; Password must have symbol characters.',
    );

    const reset = await request(api.app)
      .post(`${API}/user/password/reset`)
      .send({ email: user.email, code: message?.code, newPassword: 'Brand-New-Passw0rd!' });
    expect(reset.status).toBe(204);

    const signInNew = await signInRequest(api.app, user.email, 'Brand-New-Passw0rd!');
    expect(signInNew.status).toBe(200);
    const signInOld = await signInRequest(api.app, user.email, user.password);
    expect(signInOld.status).toBe(401);
  });
});

describe('POST /v1/api/user/password/change', () => {
  it("changes the password of the signed-in user and answers this device's new tokens", async () => {
    const user = await signUp(api.app);
    const response = await request(api.app)
      .post(`${API}/user/password/change`)
      .set(bearer(user.accessToken))
      .send({ previousPassword: user.password, proposedPassword: 'Changed-Passw0rd!' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      idToken: expect.any(String),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: expect.any(Number),
      tokenType: 'Bearer',
    });
    await request(api.app).get(`${API}/user/me`).set(bearer(response.body.accessToken)).expect(200);
    await request(api.app).get(`${API}/user/me`).set(bearer(user.accessToken)).expect(401);
    const signIn = await signInRequest(api.app, user.email, 'Changed-Passw0rd!');
    expect(signIn.status).toBe(200);
    await signInRequest(api.app, user.email, user.password).expect(401);
  });

  it('answers 400 incorrect_password for a wrong previous password, and keeps the old one', async () => {
    const user = await signUp(api.app);
    const response = await request(api.app)
      .post(`${API}/user/password/change`)
      .set(bearer(user.accessToken))
      .send({ previousPassword: 'Not-The-Passw0rd!', proposedPassword: 'Changed-Passw0rd!' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('incorrect_password');
    const signIn = await signInRequest(api.app, user.email, user.password);
    expect(signIn.status).toBe(200);
  });

  it('names the failed rule of a weak proposed password', async () => {
    const user = await signUp(api.app);
    const response = await request(api.app)
      .post(`${API}/user/password/change`)
      .set(bearer(user.accessToken))
      .send({ previousPassword: user.password, proposedPassword: 'NOLOWERCASE-1!' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'weak_password',
      message: 'proposedPassword: Password must have lowercase characters.',
    });
  });

  it('answers 401 for a missing token before looking at the body', async () => {
    const response = await request(api.app).post(`${API}/user/password/change`).send({});
    expect(response.status).toBe(401);
  });
});

describe('verified email (SIGNUP_CONFIRMATION=auto)', () => {
  it('sends no reset code to an email nobody proved, and answers forgot-password alike all the same', async () => {
    const user = await signUp(api.app);
    const unproved = await request(api.app)
      .post(`${API}/user/password/forgot`)
      .send({ email: user.email });
    const unknown = await request(api.app)
      .post(`${API}/user/password/forgot`)
      .send({ email: uniqueEmail('nobody') });
    expect(unproved.status).toBe(202);
    expect(unproved.body).toEqual(unknown.body);
    await expect(readOutbox(pool.endpoint, user.email.toLowerCase())).resolves.toEqual([]);
    const refused = api.logs
      .records()
      .filter(
        (record) =>
          record.requestId === unproved.headers['x-request-id'] &&
          record.suppressed === 'request_refused',
      );
    expect(refused).toHaveLength(1);
  });

  it('POST /user/email/verify proves the email with the code sent to it; then a reset code is sent', async () => {
    const user = await signUp(api.app);
    // The local pool has no GetUserAttributeVerificationCode: a verification code for a
    // changed address (UpdateUserAttributes) stands in for the one it would send.
    const address = uniqueEmail('proved').toLowerCase();
    await pool.client.send(
      new UpdateUserAttributesCommand({
        AccessToken: user.accessToken,
        UserAttributes: [{ Name: 'email', Value: address }],
      }),
    );
    const [message] = await readOutbox(pool.endpoint, address);
    expect(message?.kind).toBe('verify-email');

    const wrong = await request(api.app)
      .post(`${API}/user/email/verify`)
      .set(bearer(user.accessToken))
      .send({ code: '000000x' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_code');

    await request(api.app)
      .post(`${API}/user/email/verify`)
      .set(bearer(user.accessToken))
      .send({ code: message?.code })
      .expect(204);
    const me = await request(api.app).get(`${API}/user/me`).set(bearer(user.accessToken));
    expect(me.body).toMatchObject({ email: address, emailVerified: true });

    await request(api.app).post(`${API}/user/password/forgot`).send({ email: address }).expect(202);
    const [reset] = await readOutbox(pool.endpoint, address);
    expect(reset?.kind).toBe('forgot-password');
  });

  it('POST /user/email/verification has the pool send a code that POST /user/email/verify accepts', async () => {
    const user = await signUp(api.app);
    const response = await request(api.app)
      .post(`${API}/user/email/verification`)
      .set(bearer(user.accessToken));
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      message: 'A code has been sent to the email: POST /user/email/verify with it.',
      codeDelivery: { medium: 'EMAIL', destination: expect.stringContaining('***') },
    });
    const [message] = await readOutbox(pool.endpoint, user.email.toLowerCase());
    expect(message?.kind).toBe('verify-email');
    await request(api.app)
      .post(`${API}/user/email/verify`)
      .set(bearer(user.accessToken))
      .send({ code: message?.code })
      .expect(204);
    const me = await request(api.app).get(`${API}/user/me`).set(bearer(user.accessToken));
    expect(me.body).toMatchObject({ emailVerified: true });

    const anonymous = await request(api.app).post(`${API}/user/email/verification`);
    expect(anonymous.status).toBe(401);
  });
});
