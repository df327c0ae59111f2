import {
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createTestUserPool,
  readOutbox,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { freshStateDatabase, type FreshStateDatabase } from '@authstack/shared/testing';
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
  send,
  signInRequest,
  signUp,
  type SignedUp,
  type TestApp,
} from './harness';
import {
  atStartOfSecond,
  claimsOf,
  refreshRequest,
  revocationCount,
  revocationsOf,
} from './revocation-helpers';

let pool: SharedLocalPool;
let userPool: TestUserPool;
let db: FreshStateDatabase;
let stateStore: StateStoreDeps;
let api: TestApp;
let admin: SignedUp;

beforeAll(async () => {
  [pool, db] = await Promise.all([sharedLocalPool(), freshStateDatabase({ migrate: true })]);
  userPool = await createTestUserPool(pool);
  stateStore = connectStateStore(db.url);
  api = createApp(pool, userPool, { stateStore });
  admin = await signUp(api.app);
  await makeAdmin(pool, userPool, admin.email.toLowerCase());
});

afterAll(async () => {
  await stateStore?.db.end();
  await Promise.all([db?.stop(), pool?.stop()]);
});

const REISSUED = 'tokens issued in the second of a revocation; refreshed after it';

const userPath = (email: string, rest = '') =>
  `${API}/admin/users/${encodeURIComponent(email)}${rest}`;

/** Asserts the one revocation recorded for `subject`, and that it covers `token`. */
async function expectRevocation(
  expected: { kind: 'user' | 'session' | 'group'; subject: string; group?: string },
  token: string,
): Promise<void> {
  const rows = await revocationsOf(stateStore.db, expected.subject);
  expect(rows).toEqual([
    {
      kind: expected.kind,
      subject: expected.subject,
      group: expected.group ?? '',
      notBefore: expect.any(Number),
    },
  ]);
  expect(rows[0]?.notBefore).toBeGreaterThan(claimsOf(token).iat);
}

async function signInAgain(user: SignedUp): Promise<{ accessToken: string; refreshToken: string }> {
  const response = await signInRequest(api.app, user.email, user.password).expect(200);
  return response.body as { accessToken: string; refreshToken: string };
}

describe.each(['get', 'post'] as const)(
  '%s /v1/api/user/signout (sign out everywhere)',
  (method) => {
    it('records a user revocation covering every token so far, then revokes every refresh token at the pool', async () => {
      const user = await signUp(api.app);
      const other = await signInAgain(user);

      const response = await send(api.app, method, `${API}/user/signout`).set(
        bearer(user.accessToken),
      );
      expect(response.status).toBe(204);
      expect(response.text).toBe('');

      await expectRevocation({ kind: 'user', subject: user.sub }, user.accessToken);
      for (const refreshToken of [user.refreshToken, other.refreshToken]) {
        const refreshed = await refreshRequest(api.app, refreshToken);
        expect(refreshed.status).toBe(401);
        expect(refreshed.body.error.code).toBe('invalid_refresh_token');
      }
    });
  },
);

describe('a forged or foreign access token signs no one out', () => {
  it("refuses a token with a bad signature (the victim's claims, another user's signature) with 401 and records nothing", async () => {
    const victim = await signUp(api.app);
    const attacker = await signUp(api.app);
    const [header, payload] = victim.accessToken.split('.');
    const signature = attacker.accessToken.split('.')[2];
    const forged = `${header}.${payload}.${signature}`;

    for (const path of ['/user/signout', '/user/password/change']) {
      const response = await request(api.app)
        .post(`${API}${path}`)
        .set(bearer(forged))
        .send({ previousPassword: 'Whatever-Passw0rd!', proposedPassword: 'Changed-Passw0rd!9' });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('invalid_token');
    }

    expect(await revocationsOf(stateStore.db, victim.sub)).toEqual([]);
    await refreshRequest(api.app, victim.refreshToken).expect(200);
    await request(api.app).get(`${API}/user/me`).set(bearer(victim.accessToken)).expect(200);
  });

  it('refuses an access token of another app client of the same pool with 401 invalid_token and records nothing', async () => {
    const user = await signUp(api.app);
    const { UserPoolClient } = await pool.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPool.userPoolId,
        ClientName: `other-client-${Date.now()}`,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const signedIn = await pool.client.send(
      new InitiateAuthCommand({
        ClientId: UserPoolClient?.ClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.email.toLowerCase(), PASSWORD: user.password },
      }),
    );
    const foreign = signedIn.AuthenticationResult?.AccessToken ?? '';
    expect(claimsOf(foreign)).toMatchObject({ sub: user.sub, client_id: UserPoolClient?.ClientId });

    const response = await request(api.app).post(`${API}/user/signout`).set(bearer(foreign));
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('invalid_token');
    const me = await request(api.app).get(`${API}/user/me`).set(bearer(foreign));
    expect(me.status).toBe(401);

    expect(await revocationsOf(stateStore.db, user.sub)).toEqual([]);
    await refreshRequest(api.app, user.refreshToken).expect(200);
  });
});

describe('POST /v1/api/user/signout/device (sign out this device only)', () => {
  it("ends that session only: records its origin_jti, its refresh and access tokens stop working, another session's go on", async () => {
    const user = await signUp(api.app);
    const other = await signInAgain(user);
    const session = claimsOf(user.accessToken).origin_jti;
    expect(session).not.toBe(claimsOf(other.accessToken).origin_jti);

    const response = await request(api.app)
      .post(`${API}/user/signout/device`)
      .send({ refreshToken: user.refreshToken });
    expect(response.status).toBe(204);

    await expectRevocation({ kind: 'session', subject: session }, user.accessToken);
    expect(await revocationsOf(stateStore.db, user.sub)).toEqual([]);
    const refused = await refreshRequest(api.app, user.refreshToken);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_refresh_token');
    await request(api.app).get(`${API}/user/me`).set(bearer(user.accessToken)).expect(401);
    await refreshRequest(api.app, other.refreshToken).expect(200);
    await request(api.app).get(`${API}/user/me`).set(bearer(other.accessToken)).expect(200);
    const logged = api.logs
      .records()
      .find(
        (record) =>
          record.msg === 'request completed' &&
          record.sub === user.sub &&
          (record.req as { path: string }).path.endsWith('/signout/device'),
      );
    expect(logged).toBeDefined();
  });

  it('answers 401 invalid_refresh_token for an unknown or already revoked refresh token and records nothing', async () => {
    const user = await signUp(api.app);
    await request(api.app)
      .post(`${API}/user/signout/device`)
      .send({ refreshToken: user.refreshToken })
      .expect(204);
    const before = await revocationCount(stateStore.db);

    for (const refreshToken of [user.refreshToken, 'not-a-refresh-token']) {
      const response = await request(api.app)
        .post(`${API}/user/signout/device`)
        .send({ refreshToken });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('invalid_refresh_token');
    }
    expect(await revocationCount(stateStore.db)).toBe(before);
  });

  it('answers 400 naming the field when the refresh token is missing', async () => {
    const response = await request(api.app).post(`${API}/user/signout/device`).send({});
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^refreshToken: /);
  });
});

describe('POST /v1/api/user/password/change', () => {
  it('changes the password, then records a user revocation and revokes every refresh token; the new tokens pass it', async () => {
    const user = await signUp(api.app);
    const other = await signInAgain(user);
    const response = await request(api.app)
      .post(`${API}/user/password/change`)
      .set(bearer(user.accessToken))
      .send({ previousPassword: user.password, proposedPassword: 'Changed-Passw0rd!1' });
    expect(response.status).toBe(200);
    await expectRevocation({ kind: 'user', subject: user.sub }, user.accessToken);
    const [revocation] = await revocationsOf(stateStore.db, user.sub);
    expect(claimsOf(response.body.accessToken).iat).toBeGreaterThanOrEqual(
      revocation?.notBefore ?? Infinity,
    );
    for (const refreshToken of [user.refreshToken, other.refreshToken]) {
      const refreshed = await refreshRequest(api.app, refreshToken);
      expect(refreshed.status).toBe(401);
      expect(refreshed.body.error.code).toBe('invalid_refresh_token');
    }
    await refreshRequest(api.app, response.body.refreshToken).expect(200);
    await signInRequest(api.app, user.email, 'Changed-Passw0rd!1').expect(200);
  });

  it('records nothing for a wrong previousPassword, and every session goes on', async () => {
    const user = await signUp(api.app);
    const response = await request(api.app)
      .post(`${API}/user/password/change`)
      .set(bearer(user.accessToken))
      .send({ previousPassword: 'Not-The-Passw0rd!1', proposedPassword: 'Changed-Passw0rd!1' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('incorrect_password');
    expect(await revocationsOf(stateStore.db, user.sub)).toEqual([]);
    await refreshRequest(api.app, user.refreshToken).expect(200);
    await request(api.app).get(`${API}/user/me`).set(bearer(user.accessToken)).expect(200);
  });

  it('records nothing for a proposed password the policy refuses', async () => {
    const user = await signUp(api.app);
    await request(api.app)
      .post(`${API}/user/password/change`)
      .set(bearer(user.accessToken))
      .send({ previousPassword: user.password, proposedPassword: 'weak' })
      .expect(400);
    expect(await revocationsOf(stateStore.db, user.sub)).toEqual([]);
  });
});

describe('POST /v1/api/user/password/reset', () => {
  it('records nothing for a wrong code (a stranger cannot sign the owner out), and a user revocation once the code is accepted, with every refresh token revoked', async () => {
    const user = await signUp(api.app);
    await markEmailVerified(pool, userPool, user.email);
    await request(api.app)
      .post(`${API}/user/password/forgot`)
      .send({ email: user.email })
      .expect(202);
    const [message] = await readOutbox(pool.endpoint, user.email.toLowerCase());

    const wrong = await request(api.app)
      .post(`${API}/user/password/reset`)
      .send({ email: user.email, code: '000000x', newPassword: 'Reset-Passw0rd!1' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_code');
    expect(await revocationsOf(stateStore.db, user.sub)).toEqual([]);

    const reset = await request(api.app)
      .post(`${API}/user/password/reset`)
      .send({ email: user.email, code: message?.code, newPassword: 'Reset-Passw0rd!1' });
    expect(reset.status).toBe(204);
    await expectRevocation({ kind: 'user', subject: user.sub }, user.accessToken);
    await refreshRequest(api.app, user.refreshToken).expect(401);
    await signInRequest(api.app, user.email, 'Reset-Passw0rd!1').expect(200);
  });
});

describe('admin actions record a user revocation before the pool call', () => {
  it('POST /admin/users/{email}/disable: recorded, and the user is disabled', async () => {
    const user = await signUp(api.app);
    await request(api.app)
      .post(userPath(user.email, '/disable'))
      .set(bearer(admin.accessToken))
      .expect(204);
    await expectRevocation({ kind: 'user', subject: user.sub }, user.accessToken);
    const stored = await adminGetUser(pool, userPool, user.email);
    expect(stored !== 'not found' && stored.Enabled).toBe(false);
  });

  it('POST /admin/users/{email}/enable records nothing', async () => {
    const user = await signUp(api.app);
    await request(api.app)
      .post(userPath(user.email, '/enable'))
      .set(bearer(admin.accessToken))
      .expect(204);
    expect(await revocationsOf(stateStore.db, user.sub)).toEqual([]);
  });

  it('POST /admin/users/{email}/signout: recorded, and the refresh token is revoked', async () => {
    const user = await signUp(api.app);
    await request(api.app)
      .post(userPath(user.email, '/signout'))
      .set(bearer(admin.accessToken))
      .expect(204);
    await expectRevocation({ kind: 'user', subject: user.sub }, user.accessToken);
    await refreshRequest(api.app, user.refreshToken).expect(401);
  });

  it('DELETE /admin/users/{email}: recorded, and the user is gone; then 404 user_not_found', async () => {
    const user = await signUp(api.app);
    const response = await request(api.app)
      .delete(userPath(user.email))
      .set(bearer(admin.accessToken));
    expect(response.status).toBe(204);
    await expectRevocation({ kind: 'user', subject: user.sub }, user.accessToken);
    expect(await adminGetUser(pool, userPool, user.email)).toBe('not found');

    const again = await request(api.app)
      .delete(userPath(user.email))
      .set(bearer(admin.accessToken));
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('user_not_found');
  });

  it('POST /admin/users/{email}/password/reset: recorded, the password and the refresh token stop working and a code is sent', async () => {
    const user = await signUp(api.app);
    await markEmailVerified(pool, userPool, user.email);
    const response = await request(api.app)
      .post(userPath(user.email, '/password/reset'))
      .set(bearer(admin.accessToken));
    expect(response.status).toBe(204);
    await expectRevocation({ kind: 'user', subject: user.sub }, user.accessToken);
    await refreshRequest(api.app, user.refreshToken).expect(401);
    const stored = await adminGetUser(pool, userPool, user.email);
    expect(stored !== 'not found' && stored.UserStatus).toBe('RESET_REQUIRED');
    const [message] = await readOutbox(pool.endpoint, user.email.toLowerCase());
    expect(message?.code).toEqual(expect.any(String));
    const signIn = await signInRequest(api.app, user.email, user.password);
    expect(signIn.status).toBe(403);
    expect(signIn.body.error.code).toBe('password_reset_required');
  });

  it('DELETE /admin/users/{email}/groups/{group}: records a group revocation, and the user leaves the group', async () => {
    const user = await signUp(api.app);
    await makeAdmin(pool, userPool, user.email.toLowerCase());
    const member = await signInAgain(user);
    expect(claimsOf(member.accessToken)).toMatchObject({ 'cognito:groups': ['admin'] });

    await request(api.app)
      .delete(userPath(user.email, '/groups/admin'))
      .set(bearer(admin.accessToken))
      .expect(204);
    await expectRevocation(
      { kind: 'group', subject: user.sub, group: 'admin' },
      member.accessToken,
    );
    const me = await request(api.app).get(`${API}/user/me`).set(bearer(member.accessToken));
    expect(me.body.groups).toEqual([]);
  });

  it.each([
    ['delete', ''],
    ['post', '/password/reset'],
  ] as const)(
    '%s /admin/users/{email}%s answers 403 to a user outside the admin group and 401 without a token, and records nothing',
    async (method, rest) => {
      const user = await signUp(api.app);
      const target = userPath(admin.email, rest);
      const forbidden = await send(api.app, method, target).set(bearer(user.accessToken));
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.error.code).toBe('forbidden');
      expect((await send(api.app, method, target)).status).toBe(401);
      expect(await revocationsOf(stateStore.db, admin.sub)).toEqual([]);
      await request(api.app).get(`${API}/user/me`).set(bearer(admin.accessToken)).expect(200);
    },
  );

  it.each([
    ['post', '/signout'],
    ['post', '/disable'],
    ['delete', ''],
    ['post', '/password/reset'],
    ['delete', '/groups/admin'],
  ] as const)(
    '%s /admin/users/{unknown}%s answers 404 user_not_found and records nothing',
    async (method, rest) => {
      const before = await revocationCount(stateStore.db);
      const response = await send(api.app, method, userPath('nobody-at-all@example.com', rest)).set(
        bearer(admin.accessToken),
      );
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('user_not_found');
      expect(await revocationCount(stateStore.db)).toBe(before);
    },
  );
});

describe("iat's one-second granularity", () => {
  it('a sign-in right after a sign-out gets tokens issued at or after the recorded notBefore', async () => {
    const user = await signUp(api.app);
    await atStartOfSecond();
    await request(api.app).post(`${API}/user/signout`).set(bearer(user.accessToken)).expect(204);
    const signIn = await signInRequest(api.app, user.email, user.password).set(
      'X-Request-Id',
      'same-second-signin',
    );
    expect(signIn.status).toBe(200);

    const [revocation] = await revocationsOf(stateStore.db, user.sub);
    const notBefore = revocation?.notBefore ?? Number.POSITIVE_INFINITY;
    expect(claimsOf(signIn.body.accessToken).iat).toBeGreaterThanOrEqual(notBefore);
    expect(claimsOf(signIn.body.idToken).iat).toBeGreaterThanOrEqual(notBefore);
    const reissued = api.logs
      .records()
      .filter((record) => record.requestId === 'same-second-signin' && record.msg === REISSUED);
    expect(reissued).toHaveLength(1);
    await request(api.app).get(`${API}/user/me`).set(bearer(signIn.body.accessToken)).expect(200);
    await refreshRequest(api.app, signIn.body.refreshToken).expect(200);
  });

  it('a refresh right after a revocation of the user gets tokens issued at or after its notBefore', async () => {
    const user = await signUp(api.app);
    await atStartOfSecond();
    const notBefore = await stateStore.revocations.revokeUser(user.sub);
    const refreshed = await refreshRequest(api.app, user.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).toBeUndefined();
    expect(claimsOf(refreshed.body.accessToken).iat).toBeGreaterThanOrEqual(notBefore);
    expect(claimsOf(refreshed.body.idToken).iat).toBeGreaterThanOrEqual(notBefore);
  });

  it('hands out the first tokens when no revocation of the user is live', async () => {
    const user = await signUp(api.app);
    await signInRequest(api.app, user.email, user.password)
      .set('X-Request-Id', 'no-revocation-signin')
      .expect(200);
    const lines = api.logs
      .records()
      .filter((record) => record.requestId === 'no-revocation-signin');
    const messages = lines.map((record) => record.msg);
    expect(messages).toContain('request completed');
    expect(messages).not.toContain(REISSUED);
  });
});

describe('without a state store', () => {
  it('signs out through the pool alone, as before', async () => {
    const plain = createApp(pool, userPool);
    const user = await signUp(plain.app);
    await request(plain.app).post(`${API}/user/signout`).set(bearer(user.accessToken)).expect(204);
    await refreshRequest(plain.app, user.refreshToken).expect(401);

    const device = await signUp(plain.app);
    await request(plain.app)
      .post(`${API}/user/signout/device`)
      .send({ refreshToken: device.refreshToken })
      .expect(204);
    await refreshRequest(plain.app, device.refreshToken).expect(401);
    expect(await revocationsOf(stateStore.db, user.sub)).toEqual([]);
  });
});

describe('GET /v1/api/openapi.json', () => {
  it('shows the new routes and the 503 revocation_unavailable answers', async () => {
    const { body } = await request(api.app).get(`${API}/openapi.json`).expect(200);
    const paths = body.paths as Record<
      string,
      Record<string, { responses: Record<string, { description: string }> }>
    >;
    const revoking: [string, string][] = [
      ['/user/signout', 'post'],
      ['/user/signout', 'get'],
      ['/user/signout/device', 'post'],
      ['/user/password/change', 'post'],
      ['/user/password/reset', 'post'],
      ['/admin/users/{email}', 'delete'],
      ['/admin/users/{email}/password/reset', 'post'],
      ['/admin/users/{email}/signout', 'post'],
      ['/admin/users/{email}/disable', 'post'],
      ['/admin/users/{email}/groups/{group}', 'delete'],
    ];
    for (const [path, method] of revoking) {
      expect(paths[path]?.[method]?.responses['503']?.description).toMatch(
        /revocation_unavailable/,
      );
    }
    expect(paths['/user/signout/device']?.post?.responses['401']?.description).toMatch(
      /invalid_refresh_token/,
    );
    expect(paths['/admin/users/{email}']?.delete?.responses['404']?.description).toMatch(
      /user_not_found/,
    );
    expect(paths['/user/signin']?.post?.responses['503']).toBeUndefined();
  });
});
