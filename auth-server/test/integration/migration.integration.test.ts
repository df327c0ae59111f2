import { createTestUserPool, readOutbox, startLocalPool } from '@authstack/local-pool/testing';
import request from 'supertest';
import { startFakeMigrationLambda, type FakeMigrationLambda } from './fake-migration-lambda';
import {
  API,
  PASSWORD,
  adminGetUser,
  createApp,
  signInRequest,
  uniqueEmail,
  withoutRequestId,
  type LocalPool,
  type TestApp,
  type TestUserPool,
} from './harness';

const LEGACY = 'legacy.ok@example.com';
const LEGACY_RESET = 'legacy.reset@example.com';
const LEGACY_UNTOUCHED = 'legacy.untouched@example.com';
const LEGACY_FORGETFUL = 'legacy.forgetful@example.com';
/** A legacy user someone else tries to sign up as, before the owner has migrated. */
const LEGACY_ARGON = 'legacy.argon@example.com';

let lambda: FakeMigrationLambda;
let pool: LocalPool;
let userPool: TestUserPool;
let api: TestApp;

beforeAll(async () => {
  lambda = await startFakeMigrationLambda({
    [LEGACY]: { password: 'Legacy-Passw0rd!', name: 'Legacy User', finalUserStatus: 'CONFIRMED' },
    [LEGACY_FORGETFUL]: {
      password: 'Forgotten-Passw0rd!',
      name: 'F',
      finalUserStatus: 'CONFIRMED',
    },
    [LEGACY_UNTOUCHED]: {
      password: 'Untouched-Passw0rd!',
      name: 'U',
      finalUserStatus: 'CONFIRMED',
    },
    [LEGACY_ARGON]: { password: 'Argon-Passw0rd!', name: 'Argon', finalUserStatus: 'CONFIRMED' },
    [LEGACY_RESET]: {
      password: 'Legacy-Reset-Passw0rd!',
      name: 'Reset User',
      finalUserStatus: 'RESET_REQUIRED',
    },
  });
  pool = await startLocalPool({ lambdaEndpoint: lambda.endpoint });
  userPool = await createTestUserPool(pool, {
    userMigrationLambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:user-migration',
    preSignUpLambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:pre-sign-up',
  });
  api = createApp(pool, userPool);
});

afterAll(async () => {
  await pool?.stop();
  await lambda?.close();
});

/** Resets the password with the code forgot-password left in the outbox, then signs in with it. */
async function resetWithEmailedCodeAndSignIn(email: string, newPassword: string): Promise<void> {
  const [message] = await readOutbox(pool.endpoint, email);
  await request(api.app)
    .post(`${API}/user/password/reset`)
    .send({ email, code: message?.code, newPassword })
    .expect(204);
  await signInRequest(api.app, email, newPassword).expect(200);
}

describe('sign-in of users the pool does not have yet (UserMigration trigger)', () => {
  it('migrates a legacy user on the first sign-in: the trigger gets the password (no SRP)', async () => {
    const response = await signInRequest(api.app, 'Legacy.OK@example.com', 'Legacy-Passw0rd!');
    expect(response.status).toBe(200);
    expect(lambda.invocations).toContainEqual({
      triggerSource: 'UserMigration_Authentication',
      userName: expect.stringMatching(/^legacy\.ok@example\.com$/i),
    });
    const me = await request(api.app)
      .get(`${API}/user/me`)
      .set('Authorization', `Bearer ${response.body.accessToken}`);
    expect(me.body).toMatchObject({ email: LEGACY, name: 'Legacy User', sub: expect.any(String) });
  });

  it('answers 403 password_reset_required for a RESET_REQUIRED user; forgot + reset then work', async () => {
    const refused = await signInRequest(api.app, LEGACY_RESET, 'Legacy-Reset-Passw0rd!');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('password_reset_required');
    expect(refused.body.error.message).toContain('/user/password/forgot');

    await request(api.app)
      .post(`${API}/user/password/forgot`)
      .send({ email: LEGACY_RESET })
      .expect(202);
    await resetWithEmailedCodeAndSignIn(LEGACY_RESET, 'Fresh-Passw0rd!');
  });

  it('gives an unknown user and a wrong legacy password the same 401 as any wrong password', async () => {
    const unknown = await signInRequest(api.app, uniqueEmail('nobody'), 'Some-Passw0rd!');
    const wrongLegacy = await signInRequest(api.app, LEGACY_UNTOUCHED, 'Some-Passw0rd!');
    expect(unknown.status).toBe(401);
    expect(withoutRequestId(unknown.body)).toEqual(withoutRequestId(wrongLegacy.body));
    expect(unknown.body.error.code).toBe('invalid_credentials');
  });

  it('migrates a legacy user on forgot-password, so the reset code reaches them', async () => {
    await request(api.app)
      .post(`${API}/user/password/forgot`)
      .send({ email: LEGACY_FORGETFUL })
      .expect(202);
    expect(lambda.invocations).toContainEqual({
      triggerSource: 'UserMigration_ForgotPassword',
      userName: expect.stringMatching(/^legacy\.forgetful@example\.com$/i),
    });
    await resetWithEmailedCodeAndSignIn(LEGACY_FORGETFUL, 'Remembered-Passw0rd!');
  });
});

describe('sign-up over a legacy account (PreSignUp trigger)', () => {
  /** `POST /user` for `email`, on `app`. */
  const signUpAs = (app: TestApp, email: string) =>
    request(app.app).post(`${API}/user`).send({ email, name: 'Squatter', password: PASSWORD });

  it.each([
    ['auto', 'PreSignUp_AdminCreateUser'],
    ['code', 'PreSignUp_SignUp'],
  ] as const)(
    'SIGNUP_CONFIRMATION=%s: answers 409 email_taken exactly as for an address already in the pool, and creates no user',
    async (confirmation, triggerSource) => {
      const app = createApp(pool, userPool, { confirmation });
      const refused = await signUpAs(app, 'Legacy.Argon@example.com');

      const existing = uniqueEmail('existing');
      await signUpAs(app, existing).expect(201);
      const taken = await signUpAs(app, existing);

      expect(refused.status).toBe(409);
      expect(refused.body.error).toEqual({
        code: 'email_taken',
        message: 'An account with this email already exists.',
        requestId: refused.headers['x-request-id'],
      });
      expect(withoutRequestId(refused.body)).toEqual(withoutRequestId(taken.body));
      expect(Object.keys(refused.headers).sort()).toEqual(Object.keys(taken.headers).sort());
      expect(lambda.invocations).toContainEqual(
        expect.objectContaining({ triggerSource, email: LEGACY_ARGON }),
      );
      await expect(adminGetUser(pool, userPool, LEGACY_ARGON)).resolves.toBe('not found');
    },
  );

  it('lets the legacy owner sign in with the old password afterwards, migrated as before', async () => {
    await signUpAs(createApp(pool, userPool), LEGACY_ARGON).expect(409);
    const signIn = await signInRequest(api.app, LEGACY_ARGON, 'Argon-Passw0rd!');
    expect(signIn.status).toBe(200);
    expect(lambda.invocations).toContainEqual({
      triggerSource: 'UserMigration_Authentication',
      userName: expect.stringMatching(/^legacy\.argon@example\.com$/i),
    });
    const stored = await adminGetUser(pool, userPool, LEGACY_ARGON);
    expect(stored !== 'not found' && stored.UserStatus).toBe('CONFIRMED');
  });
});
