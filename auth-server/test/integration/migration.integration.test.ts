import { createTestUserPool, readOutbox, startLocalPool } from '@authstack/local-pool/testing';
import request from 'supertest';
import { startFakeMigrationLambda, type FakeMigrationLambda } from './fake-migration-lambda';
import {
  API,
  createApp,
  signInRequest,
  uniqueEmail,
  withoutRequestId,
  type LocalPool,
  type TestApp,
} from './harness';

const LEGACY = 'legacy.ok@example.com';
const LEGACY_RESET = 'legacy.reset@example.com';
const LEGACY_UNTOUCHED = 'legacy.untouched@example.com';
const LEGACY_FORGETFUL = 'legacy.forgetful@example.com';

let lambda: FakeMigrationLambda;
let pool: LocalPool;
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
    [LEGACY_RESET]: {
      password: 'Legacy-Reset-Passw0rd!',
      name: 'Reset User',
      finalUserStatus: 'RESET_REQUIRED',
    },
  });
  pool = await startLocalPool({ lambdaEndpoint: lambda.endpoint });
  const userPool = await createTestUserPool(pool, {
    userMigrationLambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:user-migration',
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
