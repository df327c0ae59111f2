import { createTestUserPool, readOutbox, sharedLocalPool } from '@authstack/local-pool/testing';
import request from 'supertest';
import {
  API,
  PASSWORD,
  adminGetUser,
  createApp,
  signInRequest,
  uniqueEmail,
  type SharedLocalPool,
  type TestApp,
  type TestUserPool,
} from './harness';

let pool: SharedLocalPool;

beforeAll(async () => {
  pool = await sharedLocalPool();
});

afterAll(async () => {
  await pool?.stop();
});

async function latestCode(email: string, kind?: string): Promise<string> {
  const messages = await readOutbox(pool.endpoint, email.toLowerCase());
  const message = messages.find((item) => kind === undefined || item.kind === kind) ?? messages[0];
  if (!message) throw new Error(`no message for ${email}`);
  return message.code;
}

describe.each([
  ['an app client without a secret', false],
  ['an app client with a secret (SECRET_HASH on every call)', true],
])('SIGNUP_CONFIRMATION=code with %s', (_title, generateSecret) => {
  let userPool: TestUserPool;
  let api: TestApp;

  beforeAll(async () => {
    userPool = await createTestUserPool(pool, { generateSecret });
    if (generateSecret) expect(userPool.clientSecret).toEqual(expect.any(String));
    api = createApp(pool, userPool, { confirmation: 'code' });
  });

  /** Signs `email` up and confirms it with the emailed code. */
  async function signUpAndConfirm(email: string): Promise<void> {
    await request(api.app)
      .post(`${API}/user`)
      .send({ email, name: 'Confirmed User', password: PASSWORD })
      .expect(201);
    await request(api.app)
      .post(`${API}/user/confirm`)
      .send({ email, code: await latestCode(email) })
      .expect(204);
  }

  it('signs up unconfirmed, refuses sign-in, confirms with the emailed code, then signs in', async () => {
    const email = uniqueEmail('code');
    const signUp = await request(api.app)
      .post(`${API}/user`)
      .send({ email, name: 'Grace Hopper', password: PASSWORD });
    expect(signUp.status).toBe(201);
    expect(signUp.body).toEqual({
      sub: expect.any(String),
      confirmed: false,
      codeDelivery: { medium: 'EMAIL', destination: expect.any(String) },
    });
    expect(signUp.body.codeDelivery.destination).not.toBe(email.toLowerCase());
    const stored = await adminGetUser(pool, userPool, email);
    expect(stored !== 'not found' && stored.UserStatus).toBe('UNCONFIRMED');

    const early = await signInRequest(api.app, email, PASSWORD);
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('user_not_confirmed');

    const wrong = await request(api.app)
      .post(`${API}/user/confirm`)
      .send({ email, code: '999999999' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_code');

    const resend = await request(api.app).post(`${API}/user/confirm/resend`).send({ email });
    expect(resend.status).toBe(202);

    const confirm = await request(api.app)
      .post(`${API}/user/confirm`)
      .send({ email: email.toUpperCase(), code: await latestCode(email) });
    expect(confirm.status).toBe(204);

    const signIn = await signInRequest(api.app, email, PASSWORD);
    expect(signIn.status).toBe(200);
    const me = await request(api.app)
      .get(`${API}/user/me`)
      .set('Authorization', `Bearer ${signIn.body.accessToken}`);
    expect(me.body).toMatchObject({ email: email.toLowerCase(), emailVerified: true });

    const again = await request(api.app)
      .post(`${API}/user/confirm`)
      .send({ email, code: await latestCode(email) });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_confirmed');
  });

  it('answers resend alike for an unknown, an unconfirmed and a confirmed account', async () => {
    const unconfirmed = uniqueEmail('code');
    await request(api.app)
      .post(`${API}/user`)
      .send({ email: unconfirmed, name: 'U', password: PASSWORD })
      .expect(201);
    const answers = await Promise.all(
      [uniqueEmail('nobody'), unconfirmed].map((email) =>
        request(api.app).post(`${API}/user/confirm/resend`).send({ email }),
      ),
    );
    for (const answer of answers) expect(answer.status).toBe(202);
    expect(answers[0]?.body).toEqual(answers[1]?.body);
  });

  it('refreshes tokens (with a secret, the email names whose token it is)', async () => {
    const email = uniqueEmail('refresh');
    await signUpAndConfirm(email);
    const signIn = await signInRequest(api.app, email, PASSWORD);

    const refreshed = await request(api.app)
      .post(`${API}/user/token/refresh`)
      .send({ refreshToken: signIn.body.refreshToken, email });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.accessToken).toEqual(expect.any(String));

    const withoutEmail = await request(api.app)
      .post(`${API}/user/token/refresh`)
      .send({ refreshToken: signIn.body.refreshToken });
    if (generateSecret) {
      expect(withoutEmail.status).toBe(400);
      expect(withoutEmail.body.error.message).toMatch(/^email: /);
    } else {
      expect(withoutEmail.status).toBe(200);
    }
  });

  it('runs forgot-password and reset with SECRET_HASH', async () => {
    const email = uniqueEmail('forgot');
    await signUpAndConfirm(email);
    await request(api.app).post(`${API}/user/password/forgot`).send({ email }).expect(202);
    const reset = await request(api.app)
      .post(`${API}/user/password/reset`)
      .send({ email, code: await latestCode(email), newPassword: 'Another-Passw0rd!' });
    expect(reset.status).toBe(204);
    await signInRequest(api.app, email, 'Another-Passw0rd!').expect(200);
  });
});
