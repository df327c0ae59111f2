import {
  createTestUserPool,
  readOutbox,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { startStateDatabase, type StateDatabase } from '@authstack/shared/testing';
import request from 'supertest';
import type { StateStoreDeps } from '../../src/app';
import {
  bearer,
  API,
  adminGetUser,
  connectStateStore,
  createApp,
  makeAdmin,
  markEmailVerified,
  signInRequest,
  signUp,
  type SignedUp,
  type TestApp,
} from './harness';
import { claimsOf, refreshRequest, revocationsOf } from './revocation-helpers';

let pool: SharedLocalPool;
let userPool: TestUserPool;
let db: StateDatabase;
let stateStore: StateStoreDeps;
let api: TestApp;
let admin: SignedUp;
let user: SignedUp;
let member: SignedUp;

beforeAll(async () => {
  [pool, db] = await Promise.all([sharedLocalPool(), startStateDatabase({ migrate: true })]);
  userPool = await createTestUserPool(pool);
  stateStore = connectStateStore(db.url);
  api = createApp(pool, userPool, { stateStore });
  [admin, user, member] = await Promise.all([signUp(api.app), signUp(api.app), signUp(api.app)]);
  await makeAdmin(pool, userPool, admin.email.toLowerCase());
  await makeAdmin(pool, userPool, member.email.toLowerCase());
  await db.crash();
});

afterAll(async () => {
  await stateStore?.db.end();
  await Promise.all([db?.stop(), pool?.stop()]);
});

const userPath = (email: string, rest = '') =>
  `${API}/admin/users/${encodeURIComponent(email)}${rest}`;

/** 503 revocation_unavailable with Retry-After, in the one error body, never a 204. */
function expectRevocationUnavailable(response: request.Response): void {
  expect(response.status).toBe(503);
  expect(response.headers['retry-after']).toBe('5');
  expect(response.body.error).toEqual({
    code: 'revocation_unavailable',
    message: expect.any(String),
    requestId: response.headers['x-request-id'],
  });
  expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|postgres|pool after/i);
}

describe('state store down (its Postgres killed)', () => {
  it('sign-out answers 503 revocation_unavailable and the pool call is not made: the session goes on', async () => {
    for (const method of ['post', 'get'] as const) {
      expectRevocationUnavailable(
        await request(api.app)[method](`${API}/user/signout`).set(bearer(user.accessToken)),
      );
    }
    await request(api.app).get(`${API}/user/me`).set(bearer(user.accessToken)).expect(200);
    await refreshRequest(api.app, user.refreshToken).expect(200);
  });

  it('sign-out of one device answers 503 and leaves its refresh token working', async () => {
    expectRevocationUnavailable(
      await request(api.app)
        .post(`${API}/user/signout/device`)
        .send({ refreshToken: user.refreshToken }),
    );
    await refreshRequest(api.app, user.refreshToken).expect(200);
  });

  it('password change answers 503 and changes nothing: the old password and every session go on', async () => {
    expectRevocationUnavailable(
      await request(api.app)
        .post(`${API}/user/password/change`)
        .set(bearer(user.accessToken))
        .send({ previousPassword: user.password, proposedPassword: 'Changed-Passw0rd!1' }),
    );
    await signInRequest(api.app, user.email, user.password).expect(200);
    await refreshRequest(api.app, user.refreshToken).expect(200);
  });

  it('admin disable, sign-out, delete, password reset and group removal answer 503 and change nothing', async () => {
    const as = bearer(admin.accessToken);
    for (const [method, rest] of [
      ['post', '/disable'],
      ['post', '/signout'],
      ['delete', ''],
      ['post', '/password/reset'],
    ] as const) {
      const call =
        method === 'post'
          ? request(api.app).post(userPath(user.email, rest))
          : request(api.app).delete(userPath(user.email, rest));
      expectRevocationUnavailable(await call.set(as));
    }
    expectRevocationUnavailable(
      await request(api.app).delete(userPath(member.email, '/groups/admin')).set(as),
    );

    const stored = await adminGetUser(pool, userPool, user.email);
    expect(stored).not.toBe('not found');
    if (stored === 'not found') return;
    expect(stored.Enabled).toBe(true);
    expect(stored.UserStatus).toBe('CONFIRMED');
    await refreshRequest(api.app, user.refreshToken).expect(200);
    const me = await request(api.app).get(`${API}/user/me`).set(bearer(member.accessToken));
    expect(me.body.groups).toEqual(['admin']);
  });

  it('sign-in and refresh keep working, with a warning in the log and no token in it', async () => {
    const signIn = await signInRequest(api.app, user.email, user.password).set(
      'X-Request-Id',
      'store-down-signin',
    );
    expect(signIn.status).toBe(200);
    expect(claimsOf(signIn.body.accessToken).sub).toBe(user.sub);
    await refreshRequest(api.app, signIn.body.refreshToken).expect(200);

    const warnings = api.logs
      .records()
      .filter((record) => record.requestId === 'store-down-signin' && record.level === 'warn');
    expect(warnings).toContainEqual(
      expect.objectContaining({
        sub: user.sub,
        msg: 'state store unavailable: tokens handed out without checking them against a revocation in their second',
      }),
    );
    const text = api.logs.text();
    for (const secret of [signIn.body.accessToken, signIn.body.refreshToken, user.password]) {
      expect(text).not.toContain(secret);
    }
  });

  it('password reset by code sets the password and still revokes every refresh token at the pool, then answers 503 saying the other sessions could not be ended yet', async () => {
    const owner = await signUp(api.app);
    await markEmailVerified(pool, userPool, owner.email);
    await request(api.app)
      .post(`${API}/user/password/forgot`)
      .send({ email: owner.email })
      .expect(202);
    const [message] = await readOutbox(pool.endpoint, owner.email.toLowerCase());

    const response = await request(api.app)
      .post(`${API}/user/password/reset`)
      .send({ email: owner.email, code: message?.code, newPassword: 'Reset-Passw0rd!1' });
    expectRevocationUnavailable(response);
    expect(response.body.error.message).toMatch(/new password is set.*could not be ended yet/);
    await refreshRequest(api.app, owner.refreshToken).expect(401);
    await signInRequest(api.app, owner.email, 'Reset-Passw0rd!1').expect(200);
  });

  it('records again once the store is back: sign-out answers 204 with the revocation recorded', async () => {
    await db.start();
    const response = await request(api.app)
      .post(`${API}/user/signout`)
      .set(bearer(user.accessToken));
    expect(response.status).toBe(204);
    const [revocation] = await revocationsOf(stateStore.db, user.sub);
    expect(revocation).toMatchObject({ kind: 'user', subject: user.sub });
    expect(revocation?.notBefore).toBeGreaterThan(claimsOf(user.accessToken).iat);
    await refreshRequest(api.app, user.refreshToken).expect(401);
  });
});
