import {
  AdminGetUserCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import path from 'node:path';
import { createConfirmedUser } from '@authstack/local-pool';
import {
  createTestUserPool,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { getFreePort, startProcess, type StartedProcess } from '@authstack/shared/testing';

const PASSWORD = 'Resource-Passw0rd!';

interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

let localPool: SharedLocalPool;
let userPool: TestUserPool;
let server: StartedProcess;
let origin: string;
let admin: Tokens & { sub: string };
let member: Tokens;

async function createUser(email: string, name: string, groups: string[]): Promise<string> {
  const created = await createConfirmedUser(localPool.client, userPool.userPoolId, {
    email,
    name,
    password: PASSWORD,
    groups,
  });
  return created.sub;
}

async function signIn(email: string): Promise<Tokens> {
  const { AuthenticationResult: result } = await localPool.client.send(
    new InitiateAuthCommand({
      ClientId: userPool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD },
    }),
  );
  return {
    idToken: result?.IdToken ?? '',
    accessToken: result?.AccessToken ?? '',
    refreshToken: result?.RefreshToken ?? '',
  };
}

beforeAll(async () => {
  localPool = await sharedLocalPool();
  userPool = await createTestUserPool(localPool);
  const sub = await createUser('ada@example.com', 'Ada Admin', ['admin']);
  await createUser('max@example.com', 'Max Member', []);
  admin = { ...(await signIn('ada@example.com')), sub };
  member = await signIn('max@example.com');

  const port = await getFreePort();
  origin = `http://127.0.0.1:${port}`;
  server = await startProcess({
    script: path.join(__dirname, '../../dist/server.js'),
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      USER_POOL_ID: userPool.userPoolId,
      USER_POOL_CLIENT_ID: userPool.clientId,
      COGNITO_ENDPOINT: localPool.issuerBase,
      ALLOW_INSECURE_JWKS: 'true',
      LOG_LEVEL: 'warn',
    },
    readyUrl: `${origin}/readyz`,
  });
});

afterAll(async () => {
  await server?.stop();
  await localPool?.stop();
});

const get = (route: string, token?: string) =>
  fetch(`${origin}/v1/api${route}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

const kidOf = (token: string): unknown =>
  JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')).kid;

describe('resource-server with real tokens from the local pool', () => {
  it('answers GET /users/me from an ID token with the profile of the user', async () => {
    const res = await get('/users/me', admin.idToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: admin.sub,
      email: 'ada@example.com',
      name: 'Ada Admin',
      groups: ['admin'],
      tokenUse: 'id',
    });
    const user = await localPool.client.send(
      new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: 'ada@example.com' }),
    );
    expect(user.UserAttributes?.find((a) => a.Name === 'sub')?.Value).toBe(admin.sub);
  });

  it('answers GET /users/me from an access token, signed with a different kid', async () => {
    expect(kidOf(admin.accessToken)).not.toEqual(kidOf(admin.idToken));
    const res = await get('/users/me', admin.accessToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: admin.sub,
      email: null,
      name: null,
      groups: ['admin'],
      tokenUse: 'access',
    });
  });

  it('lets a member of admin in to the admin route and turns others away with 403', async () => {
    const allowed = await get('/admin/overview', admin.idToken);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ area: 'admin', sub: admin.sub, groups: ['admin'] });
    expect((await get('/admin/overview', admin.accessToken)).status).toBe(200);

    const denied = await get('/admin/overview', member.idToken);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });

  it('honours OAuth scopes on access tokens: the user-pool scope passes, a custom scope is 403', async () => {
    const session = await get('/session', member.accessToken);
    expect(session.status).toBe(200);
    const body = (await session.json()) as { clientId: string; scopes: string[]; username: string };
    expect(body.clientId).toBe(userPool.clientId);
    expect(body.scopes).toContain('aws.cognito.signin.user.admin');

    const reports = await get('/reports', member.accessToken);
    expect(reports.status).toBe(403);
    expect(reports.headers.get('www-authenticate')).toContain('error="insufficient_scope"');

    const idOnScopeRoute = await get('/session', member.idToken);
    expect(idOnScopeRoute.status).toBe(401);
  });

  it('accepts the tokens of a refresh and refuses tokens of another pool', async () => {
    const { AuthenticationResult: refreshed } = await localPool.client.send(
      new InitiateAuthCommand({
        ClientId: userPool.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: member.refreshToken },
      }),
    );
    expect((await get('/users/me', refreshed?.IdToken)).status).toBe(200);
    expect((await get('/users/me', refreshed?.AccessToken)).status).toBe(200);

    const otherPool = await createTestUserPool(localPool);
    await createConfirmedUser(localPool.client, otherPool.userPoolId, {
      email: 'eve@example.com',
      password: PASSWORD,
    });
    const { AuthenticationResult: foreign } = await localPool.client.send(
      new InitiateAuthCommand({
        ClientId: otherPool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'eve@example.com', PASSWORD },
      }),
    );
    const res = await get('/users/me', foreign?.IdToken);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer realm="authstack", error="invalid_token"',
    );
  });
});
