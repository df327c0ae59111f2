import { createTestUserPool, sharedLocalPool } from '@authstack/local-pool/testing';
import request from 'supertest';
import {
  API,
  createApp,
  makeAdmin,
  send,
  signInRequest,
  signUp,
  type SharedLocalPool,
  type SignedUp,
  type TestApp,
  type TestUserPool,
} from './harness';

let pool: SharedLocalPool;
let userPool: TestUserPool;
let api: TestApp;
let admin: SignedUp;
let member: SignedUp;

const as = (user: SignedUp) => ({ Authorization: `Bearer ${user.accessToken}` });
const path = (email: string, rest: string) =>
  `${API}/admin/users/${encodeURIComponent(email)}${rest}`;

beforeAll(async () => {
  pool = await sharedLocalPool();
  userPool = await createTestUserPool(pool);
  api = createApp(pool, userPool);
  admin = await signUp(api.app);
  await makeAdmin(pool, userPool, admin.email.toLowerCase());
  member = await signUp(api.app);
});

afterAll(async () => {
  await pool?.stop();
});

describe('admin routes: who may call them', () => {
  const routes: ['get' | 'post' | 'put' | 'delete', string, (email: string) => string][] = [
    ['get', '/admin/users', () => `${API}/admin/users`],
    ['put', '/admin/users/{email}/groups/admin', (email) => path(email, '/groups/admin')],
    ['delete', '/admin/users/{email}/groups/admin', (email) => path(email, '/groups/admin')],
    ['post', '/admin/users/{email}/signout', (email) => path(email, '/signout')],
    ['post', '/admin/users/{email}/disable', (email) => path(email, '/disable')],
    ['post', '/admin/users/{email}/enable', (email) => path(email, '/enable')],
  ];

  it.each(routes)(
    '%s %s answers 403 forbidden to a user outside the admin group',
    async (method, _path, url) => {
      const response = await send(api.app, method, url(admin.email)).set(as(member));
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
    },
  );

  it.each(routes)('%s %s answers 401 without a token', async (method, _path, url) => {
    const response = await send(api.app, method, url(admin.email));
    expect(response.status).toBe(401);
  });

  it('checks the group at every request, not the claims of an older token', async () => {
    const promoted = await signUp(api.app);
    await makeAdmin(pool, userPool, promoted.email.toLowerCase());
    await request(api.app).get(`${API}/admin/users`).set(as(promoted)).expect(200);
    await request(api.app).delete(path(promoted.email, '/groups/admin')).set(as(admin)).expect(204);
    const after = await request(api.app).get(`${API}/admin/users`).set(as(promoted));
    expect(after.status).toBe(403);
  });
});

describe('GET /v1/api/admin/users', () => {
  it('lists users a page at a time with nextToken', async () => {
    const first = await request(api.app).get(`${API}/admin/users?limit=1`).set(as(admin));
    expect(first.status).toBe(200);
    expect(first.body.users).toHaveLength(1);
    expect(first.body.users[0]).toEqual({
      username: expect.any(String),
      sub: expect.any(String),
      email: expect.any(String),
      name: expect.any(String),
      emailVerified: expect.any(Boolean),
      status: 'CONFIRMED',
      enabled: true,
      createdAt: expect.any(String),
    });
    expect(first.body.nextToken).toEqual(expect.any(String));

    const second = await request(api.app)
      .get(`${API}/admin/users`)
      .query({ limit: 1, nextToken: first.body.nextToken })
      .set(as(admin));
    expect(second.status).toBe(200);
    expect(second.body.users).toHaveLength(1);
    expect(second.body.users[0].sub).not.toBe(first.body.users[0].sub);
  });

  it.each([
    ['limit=0', /^limit: /],
    ['limit=abc', /^limit: /],
    ['limit=1&limit=2', /^limit: /],
    ['access_token=abc', /^Unknown field: access_token$/],
  ])('answers 400 naming the parameter for ?%s', async (query, message) => {
    const response = await request(api.app).get(`${API}/admin/users?${query}`).set(as(admin));
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(message);
  });
});

describe('group membership', () => {
  it('adds a user to a group and removes them again; "me" shows it', async () => {
    const user = await signUp(api.app);
    await request(api.app).put(path(user.email, '/groups/admin')).set(as(admin)).expect(204);
    const me = await request(api.app).get(`${API}/user/me`).set(as(user));
    expect(me.body.groups).toEqual(['admin']);

    await request(api.app).delete(path(user.email, '/groups/admin')).set(as(admin)).expect(204);
    const after = await request(api.app).get(`${API}/user/me`).set(as(user));
    expect(after.body.groups).toEqual([]);
  });

  it('answers 404 for an unknown user or group and 400 for a malformed email', async () => {
    const unknownUser = await request(api.app)
      .put(path('nobody-here@example.com', '/groups/admin'))
      .set(as(admin));
    expect(unknownUser.status).toBe(404);
    expect(unknownUser.body.error.code).toBe('user_not_found');

    const unknownGroup = await request(api.app)
      .put(path(member.email, '/groups/no-such-group'))
      .set(as(admin));
    expect(unknownGroup.status).toBe(404);
    expect(unknownGroup.body.error.code).toBe('group_not_found');

    const malformed = await request(api.app)
      .put(path('not-an-email', '/groups/admin'))
      .set(as(admin));
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/^email: /);
  });
});

describe('sign a user out, disable and enable', () => {
  it('signs a user out everywhere: their tokens stop working', async () => {
    const user = await signUp(api.app);
    await request(api.app).post(path(user.email, '/signout')).set(as(admin)).expect(204);
    const me = await request(api.app).get(`${API}/user/me`).set(as(user));
    expect(me.status).toBe(401);
    const refresh = await request(api.app)
      .post(`${API}/user/token/refresh`)
      .send({ refreshToken: user.refreshToken });
    expect(refresh.status).toBe(401);
  });

  it('disables a user (sign-in refused like a wrong password) and enables them again', async () => {
    const user = await signUp(api.app);
    await request(api.app).post(path(user.email, '/disable')).set(as(admin)).expect(204);
    const refused = await signInRequest(api.app, user.email, user.password);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_credentials');

    await request(api.app).post(path(user.email, '/enable')).set(as(admin)).expect(204);
    await signInRequest(api.app, user.email, user.password).expect(200);
  });
});
