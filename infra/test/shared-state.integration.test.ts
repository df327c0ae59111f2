import { setTimeout as sleep } from 'node:timers/promises';
import {
  AdminAddUserToGroupCommand,
  AdminUpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createTestUserPool,
  readOutbox,
  startLocalPool,
  type LocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { startStateDatabase, type StateDatabase } from '@authstack/shared/testing';
import {
  call,
  startAuthServer,
  startResourceServer,
  type Answer,
  type ServerProcess,
} from '../../scripts/testing/servers';

/**
 * Issue 10's acceptance over real processes: two auth-servers and two resource-servers on
 * one state store (embedded Postgres), a real local pool, and real faults of the store.
 */
const PASSWORD = 'Correct-Horse-9!';
const MAX_STALENESS_SECONDS = 2;

interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

let counter = 0;
const uniqueEmail = (): string =>
  `shared.${process.pid}.${Date.now()}.${(counter += 1)}@example.com`;

let db: StateDatabase;
let pool: LocalPool;
let userPool: TestUserPool;
let auth: ServerProcess[];
let resource: ServerProcess[];

beforeAll(async () => {
  [db, pool] = await Promise.all([startStateDatabase(), startLocalPool()]);
  userPool = await createTestUserPool(pool);
  const options = { poolEndpoint: pool.endpoint, userPool, stateDatabaseUrl: db.url };
  // All four start together on a store with no schema yet: they migrate concurrently.
  const limits = {
    SIGNIN_MAX_FAILURES_PER_EMAIL: '5',
    SIGNIN_MAX_FAILURES_PER_IP: '1000',
    ACCOUNT_MAX_REQUESTS_PER_IP: '0',
  };
  const staleness = { REVOCATION_MAX_STALENESS_SECONDS: String(MAX_STALENESS_SECONDS) };
  const started = await Promise.all([
    startAuthServer({ ...options, env: limits }),
    startAuthServer({ ...options, env: limits }),
    startResourceServer({ ...options, env: staleness }),
    startResourceServer({ ...options, env: staleness }),
  ]);
  auth = started.slice(0, 2);
  resource = started.slice(2);
}, 120_000);

afterAll(async () => {
  await Promise.all([...(auth ?? []), ...(resource ?? [])].map((server) => server.stop()));
  await pool?.stop();
  await db?.stop();
});

const authAt = (index: number): ServerProcess => auth[index] as ServerProcess;
const resourceAt = (index: number): ServerProcess => resource[index] as ServerProcess;

async function signUp(via = authAt(0), email = uniqueEmail()): Promise<Tokens & { email: string }> {
  const answer = await call('POST', `${via.api}/user`, {
    body: { email, name: 'Shared State', password: PASSWORD },
  });
  if (answer.status !== 201)
    throw new Error(`sign-up: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { ...(answer.body as unknown as Tokens), email };
}

async function signIn(via: ServerProcess, email: string, password = PASSWORD): Promise<Answer> {
  return call('POST', `${via.api}/user/signin`, { body: { email, password } });
}

const me = (server: ServerProcess, token: string): Promise<Answer> =>
  call('GET', `${server.api}/users/me`, { token });

/** Polls until `server` answers /users/me with `status` (revocations arrive by NOTIFY). */
async function meBecomes(
  server: ServerProcess,
  token: string,
  status: number,
  withinMs = 5_000,
): Promise<Answer> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const answer = await me(server, token);
    if (answer.status === status || Date.now() > deadline) return answer;
    await sleep(25);
  }
}

describe('two auth-servers and two resource-servers on one state store', () => {
  it.each([0, 1])(
    'a sign-out through auth-server %i is refused by both resource-servers, and a later sign-in passes',
    async (index) => {
      const user = await signUp();
      for (const server of resource) expect((await me(server, user.idToken)).status).toBe(200);

      const out = await call('POST', `${authAt(index).api}/user/signout`, {
        token: user.accessToken,
      });
      expect(out.status).toBe(204);
      for (const server of resource) {
        for (const token of [user.idToken, user.accessToken]) {
          const refused = await meBecomes(server, token, 401);
          expect(refused.status).toBe(401);
          expect(refused.body).toMatchObject({ error: { code: 'invalid_token' } });
        }
      }

      const again = await signIn(authAt(1 - index), user.email);
      expect(again.status).toBe(200);
      const fresh = again.body as unknown as Tokens;
      for (const server of resource) {
        expect((await me(server, fresh.idToken)).status).toBe(200);
        expect((await me(server, fresh.accessToken)).status).toBe(200);
      }
    },
  );

  it('counts failed sign-ins across both auth-servers: the sixth answers 429 on either one', async () => {
    const user = await signUp();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const answer = await signIn(authAt(attempt % 2), user.email, 'Wrong-Passw0rd!');
      expect(answer.status).toBe(401);
    }
    for (const server of auth) {
      const limited = await signIn(server, user.email, 'Wrong-Passw0rd!');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ error: { code: 'too_many_requests' } });
    }
  });

  it('a restarted resource-server still refuses tokens revoked before the restart', async () => {
    const user = await signUp();
    expect(
      (await call('POST', `${authAt(0).api}/user/signout`, { token: user.accessToken })).status,
    ).toBe(204);
    expect((await meBecomes(resourceAt(0), user.idToken, 401)).status).toBe(401);
    await resourceAt(0).restart();
    expect((await me(resourceAt(0), user.idToken)).status).toBe(401);
    expect((await me(resourceAt(0), user.accessToken)).status).toBe(401);
  });

  describe('every revoking event, through the auth-server, reaches both resource-servers', () => {
    const NEW_PASSWORD = 'Brand-New-Passw0rd!';
    let admin: string;

    const asAdmin = (method: string, path: string): Promise<Answer> =>
      call(method, `${authAt(1).api}${path}`, { token: admin });

    /** Both resource-servers refuse the old ID and access tokens with 401 invalid_token. */
    async function expectRefusedEverywhere(old: Tokens): Promise<void> {
      for (const server of resource) {
        for (const token of [old.idToken, old.accessToken]) {
          const answer = await meBecomes(server, token, 401);
          expect(answer.status).toBe(401);
          expect(answer.body).toMatchObject({ error: { code: 'invalid_token' } });
        }
      }
    }

    async function expectServedEverywhere(tokens: Tokens): Promise<void> {
      for (const server of resource) {
        expect((await me(server, tokens.idToken)).status).toBe(200);
        expect((await me(server, tokens.accessToken)).status).toBe(200);
      }
    }

    async function signedIn(email: string, password = PASSWORD): Promise<Tokens> {
      const answer = await signIn(authAt(0), email, password);
      expect(answer.status).toBe(200);
      return answer.body as unknown as Tokens;
    }

    beforeAll(async () => {
      const user = await signUp();
      await pool.client.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: userPool.userPoolId,
          Username: user.email,
          GroupName: 'admin',
        }),
      );
      admin = (await signedIn(user.email)).accessToken;
    });

    it('sign-out of one device: that sign-in is refused, the other device goes on', async () => {
      const user = await signUp();
      const other = await signedIn(user.email);
      const out = await call('POST', `${authAt(0).api}/user/signout/device`, {
        body: { refreshToken: user.refreshToken },
      });
      expect(out.status).toBe(204);
      await expectRefusedEverywhere(user);
      await expectServedEverywhere(other);
    });

    it('password change: the old tokens are refused, a sign-in with the new password passes', async () => {
      const user = await signUp();
      const changed = await call('POST', `${authAt(1).api}/user/password/change`, {
        token: user.accessToken,
        body: { previousPassword: PASSWORD, proposedPassword: NEW_PASSWORD },
      });
      // The device that changed it gets fresh tokens; every older session ends.
      expect(changed.status).toBe(200);
      await expectRefusedEverywhere(user);
      await expectServedEverywhere({ ...user, ...(changed.body as unknown as Tokens) });
      await expectServedEverywhere(await signedIn(user.email, NEW_PASSWORD));
    });

    it('password reset by code: the old tokens are refused, a sign-in with the new password passes', async () => {
      const user = await signUp();
      // Cognito sends reset codes to verified addresses only.
      await pool.client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: userPool.userPoolId,
          Username: user.email,
          UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
        }),
      );
      const forgot = await call('POST', `${authAt(0).api}/user/password/forgot`, {
        body: { email: user.email },
      });
      expect(forgot.status).toBe(202);
      const [message] = await readOutbox(pool.endpoint, user.email);
      const reset = await call('POST', `${authAt(1).api}/user/password/reset`, {
        body: { email: user.email, code: message?.code, newPassword: NEW_PASSWORD },
      });
      expect(reset.status).toBe(204);
      await expectRefusedEverywhere(user);
      await expectServedEverywhere(await signedIn(user.email, NEW_PASSWORD));
    });

    it('admin global sign-out: the old tokens are refused, a later sign-in passes', async () => {
      const user = await signUp();
      expect((await asAdmin('POST', `/admin/users/${user.email}/signout`)).status).toBe(204);
      await expectRefusedEverywhere(user);
      await expectServedEverywhere(await signedIn(user.email));
    });

    it('admin disable: the old tokens are refused; enabled again, a later sign-in passes', async () => {
      const user = await signUp();
      expect((await asAdmin('POST', `/admin/users/${user.email}/disable`)).status).toBe(204);
      await expectRefusedEverywhere(user);
      expect((await signIn(authAt(0), user.email)).status).toBe(401);
      expect((await asAdmin('POST', `/admin/users/${user.email}/enable`)).status).toBe(204);
      await expectServedEverywhere(await signedIn(user.email));
    });

    it('admin delete: the old tokens are refused', async () => {
      const user = await signUp();
      expect((await asAdmin('DELETE', `/admin/users/${user.email}`)).status).toBe(204);
      await expectRefusedEverywhere(user);
    });

    it('admin password reset: the old tokens are refused', async () => {
      const user = await signUp();
      await pool.client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: userPool.userPoolId,
          Username: user.email,
          UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
        }),
      );
      expect((await asAdmin('POST', `/admin/users/${user.email}/password/reset`)).status).toBe(204);
      await expectRefusedEverywhere(user);
    });

    it('removal from a group: older tokens lose the group at once, the user stays signed in', async () => {
      const user = await signUp();
      expect((await asAdmin('PUT', `/admin/users/${user.email}/groups/admin`)).status).toBe(204);
      const member = await signedIn(user.email);
      for (const server of resource) {
        expect(
          (await call('GET', `${server.api}/admin/overview`, { token: member.idToken })).status,
        ).toBe(200);
      }
      expect((await asAdmin('DELETE', `/admin/users/${user.email}/groups/admin`)).status).toBe(204);
      for (const server of resource) {
        const deadline = Date.now() + 5_000;
        let answer = await call('GET', `${server.api}/admin/overview`, { token: member.idToken });
        while (answer.status === 200 && Date.now() < deadline) {
          await sleep(25);
          answer = await call('GET', `${server.api}/admin/overview`, { token: member.idToken });
        }
        expect(answer.status).toBe(403);
        expect((await me(server, member.idToken)).body).toMatchObject({ groups: [] });
      }
      await expectServedEverywhere(member);
    });
  });

  describe('when the state store is killed', () => {
    it('keeps every acknowledged sign-out, keeps sign-in working, fails closed after the bound and recovers on its own', async () => {
      // One at a time: the local pool hashes each password, and this machine has two cores.
      const users: (Tokens & { email: string })[] = [];
      for (let index = 0; index < 8; index += 1) users.push(await signUp());
      const bystander = await signUp();

      // Sign-outs race the crash: each answers 204 (recorded) or 503 (not), never a lie.
      const signOuts = users.map((user, index) =>
        sleep(index * 25).then(() =>
          call('POST', `${authAt(index % 2).api}/user/signout`, { token: user.accessToken }),
        ),
      );
      // Crash the store as soon as the first sign-out is acknowledged, while others are in flight.
      await Promise.any(
        signOuts.map((answer) =>
          answer.then(({ status }) => {
            if (status !== 204) throw new Error(`sign-out answered ${status}`);
          }),
        ),
      );
      await db.crash();
      const answers = await Promise.all(signOuts);
      for (const answer of answers) expect([204, 503]).toContain(answer.status);
      for (const answer of answers.filter((a) => a.status === 503)) {
        expect(answer.body).toMatchObject({ error: { code: 'revocation_unavailable' } });
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const acknowledged = users.filter((_user, index) => answers[index]?.status === 204);
      expect(acknowledged.length).toBeGreaterThan(0);

      // Sign-in keeps working on both auth-servers while the store is down.
      for (const server of auth) expect((await signIn(server, bystander.email)).status).toBe(200);

      // The resource-servers serve from their copy, then refuse once it is too stale.
      const unavailable = await meBecomes(
        resourceAt(1),
        bystander.idToken,
        503,
        MAX_STALENESS_SECONDS * 1000 + 5_000,
      );
      expect(unavailable.status).toBe(503);
      expect(unavailable.body).toMatchObject({ error: { code: 'revocation_unavailable' } });
      expect(unavailable.headers.get('retry-after')).toBeTruthy();
      expect((await fetch(`${resourceAt(1).base}/readyz`)).status).toBe(503);

      // Back within 5 s of the store's return, with every acknowledged sign-out in force.
      await db.start();
      const back = Date.now();
      for (const server of resource) {
        expect((await meBecomes(server, bystander.idToken, 200, 5_000)).status).toBe(200);
      }
      expect(Date.now() - back).toBeLessThan(5_000);
      for (const server of resource) {
        for (const user of acknowledged) {
          expect((await me(server, user.idToken)).status).toBe(401);
          expect((await me(server, user.accessToken)).status).toBe(401);
        }
      }
    }, 60_000);
  });
});
