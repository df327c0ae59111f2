import { AdminAddUserToGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import {
  createTestUserPool,
  readOutbox,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { freshStateDatabase, type FreshStateDatabase } from '@authstack/shared/testing';
import {
  call,
  startAuthServer,
  type Answer,
  type ServerProcess,
} from '../../../scripts/testing/servers';
import type { StateStoreDeps } from '../../src/app';
import { PASSWORD, connectStateStore, markEmailVerified, uniqueEmail } from './harness';
import { claimsOf, revocationsOf } from './revocation-helpers';

/**
 * Sessions after a credential change, over real processes: the built auth-server, the local
 * pool and a state store. Cognito revokes no refresh token on ChangePassword,
 * ConfirmForgotPassword or AdminResetUserPassword; the auth-server ends them itself.
 */
const NEW_PASSWORD = 'Brand-New-Passw0rd!';
const WRONG = 'Not-The-Passw0rd!1';
/** Failed sign-ins (and wrong current passwords) per email before 429. */
const FAILURES_PER_EMAIL = 3;

interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

interface Device extends Tokens {
  email: string;
  sub: string;
}

let pool: SharedLocalPool;
let userPool: TestUserPool;
let db: FreshStateDatabase;
let stateStore: StateStoreDeps;
let server: ServerProcess;
let admin: Device;

beforeAll(async () => {
  [pool, db] = await Promise.all([sharedLocalPool(), freshStateDatabase({ migrate: true })]);
  userPool = await createTestUserPool(pool);
  stateStore = connectStateStore(db.url);
  server = await startAuthServer({
    poolEndpoint: pool.endpoint,
    userPool,
    stateDatabaseUrl: db.url,
    env: {
      SIGNIN_MAX_FAILURES_PER_EMAIL: String(FAILURES_PER_EMAIL),
      SIGNIN_MAX_FAILURES_PER_IP: '0',
      ACCOUNT_MAX_REQUESTS_PER_IP: '0',
    },
  });
  admin = await signUp();
  await pool.client.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: userPool.userPoolId,
      Username: admin.email,
      GroupName: 'admin',
    }),
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await stateStore?.db.end();
  await Promise.all([db?.stop(), pool?.stop()]);
});

const post = (path: string, options: { body?: unknown; token?: string } = {}): Promise<Answer> =>
  call('POST', `${server.api}${path}`, options);

async function signUp(): Promise<Device> {
  const email = uniqueEmail('device').toLowerCase();
  const answer = await post('/user', { body: { email, name: 'Two Devices', password: PASSWORD } });
  if (answer.status !== 201)
    throw new Error(`sign-up: ${answer.status} ${JSON.stringify(answer.body)}`);
  const tokens = answer.body as unknown as Tokens;
  return { ...tokens, email, sub: claimsOf(tokens.accessToken).sub };
}

/** The same user signed in on another device. */
async function signInElsewhere(user: Device, password = PASSWORD): Promise<Device> {
  const answer = await post('/user/signin', { body: { email: user.email, password } });
  expect(answer.status).toBe(200);
  return { ...(answer.body as unknown as Tokens), email: user.email, sub: user.sub };
}

const refresh = (refreshToken: string): Promise<Answer> =>
  post('/user/token/refresh', { body: { refreshToken } });
const me = (accessToken: string): Promise<Answer> =>
  call('GET', `${server.api}/user/me`, { token: accessToken });

/** The session of `device` is over: its refresh token and its access token are refused. */
async function expectEnded(device: Tokens): Promise<void> {
  const refreshed = await refresh(device.refreshToken);
  expect(refreshed.status).toBe(401);
  expect(refreshed.body).toMatchObject({ error: { code: 'invalid_refresh_token' } });
  const profile = await me(device.accessToken);
  expect(profile.status).toBe(401);
  expect(profile.body).toMatchObject({ error: { code: 'invalid_token' } });
}

async function expectAlive(device: Tokens): Promise<void> {
  expect((await me(device.accessToken)).status).toBe(200);
  expect((await refresh(device.refreshToken)).status).toBe(200);
}

/**
 * One `user` revocation for the sub, covering every token of `before` and none of `after`
 * (so the resource-servers refuse the one and accept the other).
 */
async function expectOneUserRevocation(sub: string, before: Tokens[], after: Tokens[] = []) {
  const rows = await revocationsOf(stateStore.db, sub);
  expect(rows).toEqual([{ kind: 'user', subject: sub, group: '', notBefore: expect.any(Number) }]);
  const notBefore = rows[0]?.notBefore ?? 0;
  for (const tokens of before) {
    expect(claimsOf(tokens.idToken).iat).toBeLessThan(notBefore);
    expect(claimsOf(tokens.accessToken).iat).toBeLessThan(notBefore);
  }
  for (const tokens of after) {
    expect(claimsOf(tokens.idToken).iat).toBeGreaterThanOrEqual(notBefore);
    expect(claimsOf(tokens.accessToken).iat).toBeGreaterThanOrEqual(notBefore);
  }
}

describe('POST /v1/api/user/password/change', () => {
  it("ends every other session (device B's refresh and access tokens), and answers device A with new tokens that work", async () => {
    const deviceA = await signUp();
    const deviceB = await signInElsewhere(deviceA);

    const changed = await post('/user/password/change', {
      token: deviceA.accessToken,
      body: { previousPassword: PASSWORD, proposedPassword: NEW_PASSWORD },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({
      idToken: expect.any(String),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: expect.any(Number),
      tokenType: 'Bearer',
    });
    const fresh = changed.body as unknown as Tokens;
    expect(claimsOf(fresh.accessToken).sub).toBe(deviceA.sub);

    await expectEnded(deviceB);
    await expectEnded(deviceA);
    await expectAlive(fresh);
    await expectOneUserRevocation(deviceA.sub, [deviceA, deviceB], [fresh]);

    expect(
      (await post('/user/signin', { body: { email: deviceA.email, password: PASSWORD } })).status,
    ).toBe(401);
    await signInElsewhere(deviceA, NEW_PASSWORD);
  });

  it('changes nothing for a wrong previousPassword: 400 incorrect_password, no revocation, every session goes on', async () => {
    const deviceA = await signUp();
    const deviceB = await signInElsewhere(deviceA);

    const refused = await post('/user/password/change', {
      token: deviceA.accessToken,
      body: { previousPassword: WRONG, proposedPassword: NEW_PASSWORD },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: 'incorrect_password' } });

    expect(await revocationsOf(stateStore.db, deviceA.sub)).toEqual([]);
    await expectAlive(deviceA);
    await expectAlive(deviceB);
    await signInElsewhere(deviceA, PASSWORD);
  });

  it('limits wrong current passwords like failed sign-ins: 429 with Retry-After once they reach the limit, even for the right one', async () => {
    const user = await signUp();
    for (let attempt = 0; attempt < FAILURES_PER_EMAIL; attempt += 1) {
      const guess = await post('/user/password/change', {
        token: user.accessToken,
        body: { previousPassword: `${WRONG}${attempt}`, proposedPassword: NEW_PASSWORD },
      });
      expect(guess.status).toBe(400);
      expect(guess.body).toMatchObject({ error: { code: 'incorrect_password' } });
    }

    for (const previousPassword of [WRONG, PASSWORD]) {
      const limited = await post('/user/password/change', {
        token: user.accessToken,
        body: { previousPassword, proposedPassword: NEW_PASSWORD },
      });
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ error: { code: 'too_many_requests' } });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // The same count as sign-in's: the account's sign-in is limited too, and nothing changed.
    const signIn = await post('/user/signin', { body: { email: user.email, password: PASSWORD } });
    expect(signIn.status).toBe(429);
    expect(await revocationsOf(stateStore.db, user.sub)).toEqual([]);
    await expectAlive(user);
  });

  it('counts wrong sign-ins and wrong current passwords together', async () => {
    const user = await signUp();
    for (let attempt = 0; attempt < FAILURES_PER_EMAIL; attempt += 1) {
      const failed = await post('/user/signin', { body: { email: user.email, password: WRONG } });
      expect(failed.status).toBe(401);
    }
    const limited = await post('/user/password/change', {
      token: user.accessToken,
      body: { previousPassword: PASSWORD, proposedPassword: NEW_PASSWORD },
    });
    expect(limited.status).toBe(429);
  });
});

describe('POST /v1/api/user/password/reset (forgot, then reset by code)', () => {
  it("ends every session: an intruder's refresh and access tokens stop working; the owner signs in with the new password", async () => {
    const owner = await signUp();
    const intruder = await signInElsewhere(owner);
    await markEmailVerified(pool, userPool, owner.email);

    expect((await post('/user/password/forgot', { body: { email: owner.email } })).status).toBe(
      202,
    );
    const [message] = await readOutbox(pool.endpoint, owner.email);
    const reset = await post('/user/password/reset', {
      body: { email: owner.email, code: message?.code, newPassword: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);

    await expectEnded(intruder);
    await expectEnded(owner);
    const again = await signInElsewhere(owner, NEW_PASSWORD);
    await expectAlive(again);
    await expectOneUserRevocation(owner.sub, [owner, intruder], [again]);
  });
});

describe('POST /v1/api/admin/users/{email}/password/reset', () => {
  it('ends every session of the user: the refresh and access tokens of each device stop working', async () => {
    const user = await signUp();
    const other = await signInElsewhere(user);
    await markEmailVerified(pool, userPool, user.email);

    const reset = await post(`/admin/users/${encodeURIComponent(user.email)}/password/reset`, {
      token: admin.accessToken,
    });
    expect(reset.status).toBe(204);

    await expectEnded(user);
    await expectEnded(other);
    await expectOneUserRevocation(user.sub, [user, other]);
    const signIn = await post('/user/signin', { body: { email: user.email, password: PASSWORD } });
    expect(signIn.status).toBe(403);
    expect(signIn.body).toMatchObject({ error: { code: 'password_reset_required' } });
  });
});
