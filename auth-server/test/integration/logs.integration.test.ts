import { createTestUserPool, readOutbox, sharedLocalPool } from '@authstack/local-pool/testing';
import request from 'supertest';
import {
  API,
  createApp,
  createInvitedUser,
  markEmailVerified,
  signInRequest,
  signUp,
  uniqueEmail,
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

describe('logs (security case 22)', () => {
  it('hold no password, token, code, session or Authorization header across the whole lifecycle', async () => {
    const secrets: string[] = [];
    const remember = (...values: (string | undefined)[]) => {
      for (const value of values) if (value) secrets.push(value);
    };
    const user = await signUp(api.app);
    remember(user.password, user.accessToken, user.idToken, user.refreshToken);
    const bearer = { Authorization: `Bearer ${user.accessToken}` };

    await signInRequest(api.app, user.email, 'Wrong-Passw0rd!x');
    remember('Wrong-Passw0rd!x');
    const signIn = await signInRequest(api.app, user.email, user.password);
    remember(signIn.body.accessToken, signIn.body.refreshToken, signIn.body.idToken);
    const refreshed = await request(api.app)
      .post(`${API}/user/token/refresh`)
      .send({ refreshToken: signIn.body.refreshToken });
    remember(refreshed.body.accessToken, refreshed.body.idToken);
    await request(api.app).get(`${API}/user/me`).set(bearer).expect(200);
    await request(api.app).get(`${API}/user/me?access_token=${user.accessToken}`).expect(400);
    const changed = await request(api.app)
      .post(`${API}/user/password/change`)
      .set(bearer)
      .send({ previousPassword: user.password, proposedPassword: 'Changed-Passw0rd!1' })
      .expect(200);
    remember('Changed-Passw0rd!1', changed.body.accessToken, changed.body.refreshToken);
    remember(changed.body.idToken);
    await markEmailVerified(pool, userPool, user.email);
    await request(api.app)
      .post(`${API}/user/password/forgot`)
      .send({ email: user.email })
      .expect(202);
    const [message] = await readOutbox(pool.endpoint, user.email.toLowerCase());
    remember(message?.code);
    await request(api.app)
      .post(`${API}/user/password/reset`)
      .send({ email: user.email, code: message?.code, newPassword: 'Reset-Passw0rd!2' })
      .expect(204);
    remember('Reset-Passw0rd!2');

    const invited = uniqueEmail('invited');
    await createInvitedUser(pool, userPool, invited, 'Temporary-Passw0rd!3');
    remember('Temporary-Passw0rd!3');
    const challenge = await signInRequest(api.app, invited, 'Temporary-Passw0rd!3').expect(403);
    remember(challenge.body.error.session);
    await request(api.app)
      .post(`${API}/user/password/new`)
      .send({
        email: invited,
        session: challenge.body.error.session,
        newPassword: 'Chosen-Passw0rd!4',
      })
      .expect(200);
    remember('Chosen-Passw0rd!4');
    // The change and the reset ended every session before: sign-out needs a later sign-in.
    const last = await signInRequest(api.app, user.email, 'Reset-Passw0rd!2').expect(200);
    remember(last.body.accessToken, last.body.refreshToken, last.body.idToken);
    await request(api.app)
      .post(`${API}/user/signout`)
      .set({ Authorization: `Bearer ${last.body.accessToken}` })
      .expect(204);

    const text = api.logs.text();
    expect(api.logs.lines.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/Bearer /);
    expect(text).not.toMatch(/authorization/i);
  });

  it('writes one JSON line per request with the request id, and the sub once known', async () => {
    const user = await signUp(api.app);
    const response = await request(api.app)
      .get(`${API}/user/me`)
      .set('Authorization', `Bearer ${user.accessToken}`)
      .set('X-Request-Id', 'log-test-1');
    expect(response.status).toBe(200);
    const lines = api.logs.records().filter((record) => record.requestId === 'log-test-1');
    const completed = lines.filter((record) => record.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      level: 'info',
      name: 'auth-server',
      sub: user.sub,
      req: { method: 'GET', path: '/v1/api/user/me' },
      res: { statusCode: 200 },
    });
  });

  it('cannot be forged by CR/LF in a username: every line stays one JSON record', async () => {
    const forged = '{"level":"fatal","msg":"forged","requestId":"forged"}';
    const before = api.logs.lines.length;
    for (const email of [`evil\r\n${forged}@example.com`, `evil@example.com\n${forged}`]) {
      const response = await signInRequest(api.app, email, 'Wrong-Passw0rd!');
      expect(response.status).toBe(400);
    }
    await request(api.app)
      .get(`/v1/api/user/me%0d%0a${encodeURIComponent(forged)}`)
      .expect(404);
    const records = api.logs.records().slice(before);
    expect(records.length).toBeGreaterThanOrEqual(3);
    for (const record of records) {
      expect(record.msg).not.toBe('forged');
      expect(record.level).not.toBe('fatal');
    }
    for (const line of api.logs.lines.slice(before)) expect(line).not.toMatch(/[\r\n]/);
  });
});
