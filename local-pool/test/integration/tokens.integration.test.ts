import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminInitiateAuthCommand,
  AdminUserGlobalSignOutCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import {
  createTestUserPool,
  signWithPoolKey,
  startLocalPool,
  type LocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { claimsOf, createConfirmedUser, failureOf, signIn } from './helpers';

let pool: LocalPool;
let userPool: TestUserPool;

beforeAll(async () => {
  pool = await startLocalPool();
  userPool = await createTestUserPool(pool, {
    accessTokenValidityMinutes: 15,
    idTokenValidityMinutes: 20,
  });
});

afterAll(async () => {
  await pool.stop();
});

const getUser = (AccessToken: string) => pool.client.send(new GetUserCommand({ AccessToken }));
const refresh = (refreshToken: string) =>
  pool.client.send(
    new InitiateAuthCommand({
      ClientId: userPool.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );

describe('issued tokens', () => {
  it("carry Cognito's ID token claims", async () => {
    const user = await createConfirmedUser(pool, userPool, undefined, undefined, [
      { Name: 'name', Value: 'Claim Checker' },
    ]);
    await pool.client.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: userPool.userPoolId,
        Username: user.email,
        GroupName: 'admin',
      }),
    );
    const tokens = await signIn(pool, userPool, user.email);
    const header = JSON.parse(
      Buffer.from(tokens.IdToken.split('.')[0] ?? '', 'base64url').toString(),
    ) as object;
    expect(header).toEqual({ kid: expect.any(String), alg: 'RS256' });
    const id = claimsOf(tokens.IdToken);
    expect(id).toEqual({
      sub: user.sub,
      aud: userPool.clientId,
      iss: userPool.issuer,
      token_use: 'id',
      'cognito:username': user.username,
      'cognito:groups': ['admin'],
      email: user.email,
      email_verified: true,
      name: 'Claim Checker',
      auth_time: expect.any(Number),
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      origin_jti: expect.any(String),
      event_id: expect.any(String),
    });
    expect(id.exp).toBe((id.iat as number) + 20 * 60);
    expect(user.username).toBe(user.sub);
  });

  it("carry Cognito's access token claims (client_id, no aud) and share origin_jti with the ID token", async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    const access = claimsOf(tokens.AccessToken);
    expect(access).toEqual({
      sub: user.sub,
      iss: userPool.issuer,
      client_id: userPool.clientId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      username: user.username,
      auth_time: expect.any(Number),
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      origin_jti: claimsOf(tokens.IdToken).origin_jti,
      event_id: expect.any(String),
    });
    expect(access.exp).toBe((access.iat as number) + 15 * 60);
    expect(tokens.ExpiresIn).toBe(15 * 60);
  });

  it('are signed with different kids for ID and access tokens, both in the JWKS', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    const kidOf = (token: string) =>
      (
        JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
          kid: string;
        }
      ).kid;
    const jwks = (await (await fetch(userPool.jwksUrl)).json()) as {
      keys: { kid: string; alg: string; kty: string }[];
    };
    expect(kidOf(tokens.IdToken)).not.toBe(kidOf(tokens.AccessToken));
    expect(jwks.keys.map((key) => key.kid)).toEqual(
      expect.arrayContaining([kidOf(tokens.IdToken), kidOf(tokens.AccessToken)]),
    );
    expect(jwks.keys.every((key) => key.alg === 'RS256' && key.kty === 'RSA')).toBe(true);
    expect(JSON.stringify(jwks)).not.toMatch(/"d"|PRIVATE/);
  });

  it('serves an OpenID discovery document naming the issuer and the JWKS', async () => {
    const response = await fetch(`${userPool.issuer}/.well-known/openid-configuration`);
    expect(await response.json()).toMatchObject({
      issuer: userPool.issuer,
      jwks_uri: userPool.jwksUrl,
    });
    expect((await fetch(`${pool.endpoint}/us-east-1_NoSuchOne/.well-known/jwks.json`)).status).toBe(
      404,
    );
  });

  it('verify with aws-jwt-verify against the local issuer and JWKS', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    const httpFetcher = { fetch: async (uri: string) => (await fetch(uri)).arrayBuffer() };
    const jwksCache = new SimpleJwksCache({ fetcher: httpFetcher });
    const idVerifier = JwtVerifier.create(
      { issuer: userPool.issuer, audience: userPool.clientId, jwksUri: userPool.jwksUrl },
      { jwksCache },
    );
    const accessVerifier = JwtVerifier.create(
      {
        issuer: userPool.issuer,
        audience: null,
        jwksUri: userPool.jwksUrl,
        customJwtCheck: ({ payload }) => {
          if (payload.client_id !== userPool.clientId || payload.token_use !== 'access') {
            throw new Error('not an access token of this client');
          }
        },
      },
      { jwksCache },
    );
    await expect(idVerifier.verify(tokens.IdToken)).resolves.toMatchObject({
      sub: user.sub,
      token_use: 'id',
    });
    await expect(accessVerifier.verify(tokens.AccessToken)).resolves.toMatchObject({
      sub: user.sub,
    });
    const other = await createTestUserPool(pool);
    const otherVerifier = JwtVerifier.create(
      { issuer: other.issuer, audience: other.clientId, jwksUri: other.jwksUrl },
      { jwksCache },
    );
    await expect(otherVerifier.verify(tokens.IdToken)).rejects.toThrow(/issuer/i);
  });

  it('persist their keys: tokens issued before a restart still verify after it', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    const before = await (await fetch(userPool.jwksUrl)).text();
    await pool.restart();
    expect(await (await fetch(userPool.jwksUrl)).text()).toBe(before);
    expect((await getUser(tokens.AccessToken)).Username).toBe(user.username);
  });
});

describe('REFRESH_TOKEN_AUTH', () => {
  it('returns new ID and access tokens, no new refresh token, same origin_jti and auth_time', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    const refreshed = await refresh(tokens.RefreshToken);
    const result = refreshed.AuthenticationResult;
    expect(result?.RefreshToken).toBeUndefined();
    expect(result?.TokenType).toBe('Bearer');
    const access = claimsOf(result?.AccessToken ?? '');
    expect(access.origin_jti).toBe(claimsOf(tokens.AccessToken).origin_jti);
    expect(access.auth_time).toBe(claimsOf(tokens.AccessToken).auth_time);
    expect(access.jti).not.toBe(claimsOf(tokens.AccessToken).jti);
    expect((await getUser(result?.AccessToken ?? '')).Username).toBe(user.username);
  });

  it('also refreshes through AdminInitiateAuth', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    const refreshed = await pool.client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: userPool.userPoolId,
        ClientId: userPool.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
      }),
    );
    expect(claimsOf(refreshed.AuthenticationResult?.IdToken ?? '').sub).toBe(user.sub);
    expect(refreshed.AuthenticationResult?.RefreshToken).toBeUndefined();
  });

  it('refuses a refresh token of another app client', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    const other = await createTestUserPool(pool);
    expect(
      await failureOf(
        pool.client.send(
          new InitiateAuthCommand({
            ClientId: other.clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
          }),
        ),
      ),
    ).toMatchObject({ name: 'NotAuthorizedException', message: 'Invalid Refresh Token' });
  });

  it('refuses an unknown refresh token', async () => {
    expect(await failureOf(refresh('not-a-refresh-token'))).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Invalid Refresh Token',
    });
  });
});

describe('GetUser refuses tokens it did not issue or that are no longer valid', () => {
  let valid: string;
  let user: Awaited<ReturnType<typeof createConfirmedUser>>;
  beforeAll(async () => {
    user = await createConfirmedUser(pool, userPool);
    valid = (await signIn(pool, userPool, user.email)).AccessToken;
  });

  const parts = () => valid.split('.') as [string, string, string];
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const refused = async (token: string, message = 'Invalid Access Token') => {
    expect(await failureOf(getUser(token))).toEqual({
      name: 'NotAuthorizedException',
      message,
      status: 400,
    });
  };

  it('accepts the genuine token (control)', async () => {
    expect((await getUser(valid)).Username).toBe(user.username);
  });

  it('refuses a tampered payload with the original signature', async () => {
    const [header, , signature] = parts();
    await refused(`${header}.${encode({ ...claimsOf(valid), sub: 'someone-else' })}.${signature}`);
  });

  it('refuses alg "none" in any spelling, with or without a signature', async () => {
    const payload = parts()[1];
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      await refused(`${encode({ alg, kid: 'x' })}.${payload}.`);
      await refused(`${encode({ alg })}.${payload}`);
    }
  });

  it("refuses HS256 signed with the pool's public key (algorithm confusion)", async () => {
    const jwks = (await (await fetch(userPool.jwksUrl)).json()) as {
      keys: { kid: string; n: string }[];
    };
    const kid = JSON.parse(Buffer.from(parts()[0], 'base64url').toString()).kid as string;
    const input = `${encode({ alg: 'HS256', kid })}.${parts()[1]}`;
    const mac = createHmac('sha256', JSON.stringify(jwks.keys[0]))
      .update(input)
      .digest('base64url');
    await refused(`${input}.${mac}`);
  });

  it("refuses a token signed by another key that claims the pool's kid", async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${parts()[0]}.${parts()[1]}`;
    await refused(
      `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`,
    );
  });

  it('refuses garbage, two-part, truncated and unknown-kid tokens', async () => {
    const [header, payload, signature] = parts();
    await refused('garbage');
    await refused(`${header}.${payload}`);
    await refused(`${header}.${payload}.${signature.slice(0, 20)}`);
    await refused(`${encode({ alg: 'RS256', kid: '../../etc/passwd' })}.${payload}.${signature}`);
  });

  it("refuses an expired token signed with the pool's own key", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = signWithPoolKey(pool, 'access', {
      ...claimsOf(valid),
      iat: now - 7200,
      exp: now - 3600,
    });
    await refused(expired, 'Access Token has expired');
  });

  it('refuses an ID token where an access token is required', async () => {
    await refused((await signIn(pool, userPool, user.email)).IdToken);
  });

  it('refuses an access token for another issuer or an unknown client', async () => {
    const claims = claimsOf(valid);
    await refused(
      signWithPoolKey(pool, 'access', {
        ...claims,
        iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other1234',
      }),
    );
    await refused(
      signWithPoolKey(pool, 'access', { ...claims, client_id: 'abcdefghijklmnopqrstuvwxyz' }),
    );
  });
});

describe('revocation', () => {
  it('GlobalSignOut revokes the access token and the refresh token; a new sign-in works', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const first = await signIn(pool, userPool, user.email);
    const second = await signIn(pool, userPool, user.email);
    await pool.client.send(new GlobalSignOutCommand({ AccessToken: first.AccessToken }));
    for (const tokens of [first, second]) {
      expect(await failureOf(getUser(tokens.AccessToken))).toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Access Token has been revoked',
      });
      expect(await failureOf(refresh(tokens.RefreshToken))).toMatchObject({
        name: 'NotAuthorizedException',
        message: 'Refresh Token has been revoked',
      });
    }
    const again = await signIn(pool, userPool, user.email);
    expect((await getUser(again.AccessToken)).Username).toBe(user.username);
  });

  it("AdminUserGlobalSignOut revokes the user's tokens", async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    await pool.client.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: userPool.userPoolId, Username: user.email }),
    );
    expect((await failureOf(getUser(tokens.AccessToken))).message).toBe(
      'Access Token has been revoked',
    );
    expect((await failureOf(refresh(tokens.RefreshToken))).name).toBe('NotAuthorizedException');
  });

  it('RevokeToken revokes one refresh token and the access tokens issued from it, not others', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const revoked = await signIn(pool, userPool, user.email);
    const kept = await signIn(pool, userPool, user.email);
    const fromRefresh =
      (await refresh(revoked.RefreshToken)).AuthenticationResult?.AccessToken ?? '';
    await pool.client.send(
      new RevokeTokenCommand({ ClientId: userPool.clientId, Token: revoked.RefreshToken }),
    );
    expect((await failureOf(refresh(revoked.RefreshToken))).message).toBe(
      'Refresh Token has been revoked',
    );
    expect((await failureOf(getUser(revoked.AccessToken))).message).toBe(
      'Access Token has been revoked',
    );
    expect((await failureOf(getUser(fromRefresh))).message).toBe('Access Token has been revoked');
    expect((await getUser(kept.AccessToken)).Username).toBe(user.username);
    expect((await refresh(kept.RefreshToken)).AuthenticationResult?.AccessToken).toEqual(
      expect.any(String),
    );
  });

  it('RevokeToken on a client with a secret requires that secret', async () => {
    const secretPool = await createTestUserPool(pool, { generateSecret: true });
    const user = await createConfirmedUser(pool, secretPool);
    const hash = createHmac('sha256', secretPool.clientSecret ?? '')
      .update(user.email + secretPool.clientId)
      .digest('base64');
    const { AuthenticationResult } = await pool.client.send(
      new InitiateAuthCommand({
        ClientId: secretPool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.email, PASSWORD: user.password, SECRET_HASH: hash },
      }),
    );
    const revoke = (ClientSecret?: string) =>
      pool.client.send(
        new RevokeTokenCommand({
          ClientId: secretPool.clientId,
          ClientSecret,
          Token: AuthenticationResult?.RefreshToken,
        }),
      );
    expect((await failureOf(revoke())).name).toBe('NotAuthorizedException');
    expect((await failureOf(revoke('wrong-secret'))).name).toBe('NotAuthorizedException');
    await revoke(secretPool.clientSecret);
    expect((await failureOf(getUser(AuthenticationResult?.AccessToken ?? ''))).message).toBe(
      'Access Token has been revoked',
    );
  });

  it('RevokeToken refuses an access token (only refresh tokens are revocable)', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    expect(
      await failureOf(
        pool.client.send(
          new RevokeTokenCommand({ ClientId: userPool.clientId, Token: tokens.AccessToken }),
        ),
      ),
    ).toMatchObject({ name: 'UnsupportedTokenTypeException' });
  });

  it("AdminDisableUser refuses the user's tokens; a deleted user's token gets UserNotFoundException", async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    await pool.client.send(
      new AdminDisableUserCommand({ UserPoolId: userPool.userPoolId, Username: user.email }),
    );
    expect(await failureOf(getUser(tokens.AccessToken))).toMatchObject({
      message: 'User is disabled.',
    });
    expect(await failureOf(refresh(tokens.RefreshToken))).toMatchObject({
      name: 'NotAuthorizedException',
    });
    await pool.client.send(
      new AdminEnableUserCommand({ UserPoolId: userPool.userPoolId, Username: user.email }),
    );
    const fresh = await signIn(pool, userPool, user.email);
    await pool.client.send(
      new AdminDeleteUserCommand({ UserPoolId: userPool.userPoolId, Username: user.email }),
    );
    expect(await failureOf(getUser(fresh.AccessToken))).toMatchObject({
      name: 'UserNotFoundException',
    });
  });
});
