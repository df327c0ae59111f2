import {
  CreateUserImportJobCommand,
  DescribeUserImportJobCommand,
  GetCSVHeaderCommand,
  StartUserImportJobCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createTestUserPool, readOutbox, startLocalPool } from '@authstack/local-pool/testing';
import request from 'supertest';
import {
  API,
  adminGetUser,
  createApp,
  signInRequest,
  uniqueEmail,
  type LocalPool,
  type TestApp,
  type TestUserPool,
} from './harness';

/**
 * Users brought in by a Cognito user import job (CSV, no password, RESET_REQUIRED), over the
 * real local pool: the auth-server tells them to reset, and the reset lets them in.
 */
let pool: LocalPool;
let userPool: TestUserPool;
let api: TestApp;
const IMPORTED = uniqueEmail('imported').toLowerCase();

/** Imports `email` (verified, with a name) through CreateUserImportJob → PUT → Start. */
async function importUser(email: string, name: string): Promise<void> {
  const { CSVHeader = [] } = await pool.client.send(
    new GetCSVHeaderCommand({ UserPoolId: userPool.userPoolId }),
  );
  const values: Record<string, string> = {
    'cognito:username': email,
    'cognito:mfa_enabled': 'FALSE',
    email,
    email_verified: 'TRUE',
    name,
  };
  const csv = `${CSVHeader.join(',')}\n${CSVHeader.map((column) => values[column] ?? '').join(',')}\n`;
  const { UserImportJob } = await pool.client.send(
    new CreateUserImportJobCommand({
      UserPoolId: userPool.userPoolId,
      JobName: 'legacy',
      CloudWatchLogsRoleArn: 'arn:aws:iam::000000000000:role/CognitoImportLogs',
    }),
  );
  const uploaded = await fetch(UserImportJob?.PreSignedUrl ?? '', {
    method: 'PUT',
    headers: { 'x-amz-server-side-encryption': 'aws:kms' },
    body: csv,
  });
  expect(uploaded.status).toBe(200);
  const JobId = UserImportJob?.JobId;
  await pool.client.send(new StartUserImportJobCommand({ UserPoolId: userPool.userPoolId, JobId }));
  for (;;) {
    const { UserImportJob: job } = await pool.client.send(
      new DescribeUserImportJobCommand({ UserPoolId: userPool.userPoolId, JobId }),
    );
    if (job?.Status === 'Succeeded' && job.ImportedUsers === 1) return;
    if (['Failed', 'Stopped', 'Expired'].includes(job?.Status ?? '')) {
      throw new Error(`import job ended ${job?.Status}: ${job?.CompletionMessage}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  pool = await startLocalPool();
  userPool = await createTestUserPool(pool);
  api = createApp(pool, userPool);
  await importUser(IMPORTED, 'Imported User');
});

afterAll(async () => {
  await pool?.stop();
});

describe('POST /v1/api/user/signin for a user from a user import job', () => {
  it('answers 403 password_reset_required pointing at forgot/reset, whatever the password', async () => {
    for (const password of ['Any-Passw0rd!', 'Another-Passw0rd!']) {
      const refused = await signInRequest(api.app, IMPORTED, password);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({
        code: 'password_reset_required',
        requestId: expect.any(String),
      });
      expect(refused.body.error.message).toContain('/user/password/forgot');
    }
    expect(await adminGetUser(pool, userPool, IMPORTED)).toMatchObject({
      UserStatus: 'RESET_REQUIRED',
    });
  });

  it('lets them in after forgot + reset with the emailed code, with their imported attributes', async () => {
    await request(api.app)
      .post(`${API}/user/password/forgot`)
      .send({ email: IMPORTED })
      .expect(202);
    const [message] = await readOutbox(pool.endpoint, IMPORTED);
    expect(message?.kind).toBe('forgot-password');
    await request(api.app)
      .post(`${API}/user/password/reset`)
      .send({ email: IMPORTED, code: message?.code, newPassword: 'Fresh-Passw0rd!' })
      .expect(204);
    const signedIn = await signInRequest(api.app, IMPORTED, 'Fresh-Passw0rd!');
    expect(signedIn.status).toBe(200);
    const me = await request(api.app)
      .get(`${API}/user/me`)
      .set('Authorization', `Bearer ${signedIn.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: IMPORTED, name: 'Imported User' });
    expect(await adminGetUser(pool, userPool, IMPORTED)).toMatchObject({ UserStatus: 'CONFIRMED' });
  });
});
