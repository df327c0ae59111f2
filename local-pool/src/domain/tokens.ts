import { createHash, randomUUID } from 'node:crypto';
import { notAuthorized, userNotFound } from '../protocol/errors';
import { issuerOf, type PoolContext } from './context';
import { newOpaqueToken } from './ids';
import { signJwt, verifyJwt, type Claims } from './jwt';
import type { ClientRecord, ClientSettings, PoolRecord, TimeUnit, UserRecord } from './types';

const UNIT_MS: Readonly<Record<TimeUnit, number>> = {
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
};

/** Token lifetimes of a client in milliseconds, with Cognito's defaults (1 h, 1 h, 30 days). */
export function lifetimes(settings: ClientSettings): {
  access: number;
  id: number;
  refresh: number;
} {
  const units = settings.TokenValidityUnits ?? {};
  return {
    access: (settings.AccessTokenValidity ?? 1) * UNIT_MS[units.AccessToken ?? 'hours'],
    id: (settings.IdTokenValidity ?? 1) * UNIT_MS[units.IdToken ?? 'hours'],
    refresh: settings.RefreshTokenValidity * UNIT_MS[units.RefreshToken ?? 'days'],
  };
}

export const hashToken = (token: string): string =>
  createHash('sha256').update(token).digest('base64url');

export interface AuthenticationResult {
  AccessToken: string;
  IdToken: string;
  RefreshToken?: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
}

interface Grant {
  authTime: number;
  originJti: string;
}

function idTokenAttributes(user: UserRecord): Claims {
  const claims: Claims = {};
  for (const [name, value] of Object.entries(user.attributes)) {
    claims[name] = name.endsWith('_verified') ? value === 'true' : value;
  }
  return claims;
}

function signTokens(
  context: PoolContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  grant: Grant,
): { accessToken: string; idToken: string; accessExpiresAt: number; expiresIn: number } {
  const now = context.clock();
  const iat = Math.floor(now / 1000);
  const life = lifetimes(client.settings);
  const groups = context.store.groupNamesOfUser(user.id);
  const groupClaim = groups.length > 0 ? { 'cognito:groups': groups } : {};
  const eventId = randomUUID();
  const common = {
    iss: issuerOf(context, pool.id),
    origin_jti: grant.originJti,
    event_id: eventId,
  };
  const idToken = signJwt(
    {
      ...idTokenAttributes(user),
      sub: user.sub,
      ...groupClaim,
      ...common,
      'cognito:username': user.username,
      aud: client.id,
      token_use: 'id',
      auth_time: grant.authTime,
      exp: iat + Math.floor(life.id / 1000),
      iat,
      jti: randomUUID(),
    },
    context.keys.signingKey('id'),
  );
  const accessToken = signJwt(
    {
      sub: user.sub,
      ...groupClaim,
      ...common,
      client_id: client.id,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: grant.authTime,
      exp: iat + Math.floor(life.access / 1000),
      iat,
      jti: randomUUID(),
      username: user.username,
    },
    context.keys.signingKey('access'),
  );
  return {
    accessToken,
    idToken,
    accessExpiresAt: (iat + Math.floor(life.access / 1000)) * 1000,
    expiresIn: Math.floor(life.access / 1000),
  };
}

/** A fresh sign-in: ID, access and a new refresh token sharing one `origin_jti`. Call in a transaction. */
export function issueTokens(
  context: PoolContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
): AuthenticationResult {
  const now = context.clock();
  const grant = { authTime: Math.floor(now / 1000), originJti: randomUUID() };
  const signed = signTokens(context, pool, client, user, grant);
  const refreshToken = newOpaqueToken();
  const expiresAt = now + lifetimes(client.settings).refresh;
  context.store.insertRefreshToken(
    hashToken(refreshToken),
    { userId: user.id, clientId: client.id, ...grant, expiresAt, revokedAt: null },
    Math.max(expiresAt, signed.accessExpiresAt),
  );
  return {
    AccessToken: signed.accessToken,
    IdToken: signed.idToken,
    RefreshToken: refreshToken,
    ExpiresIn: signed.expiresIn,
    TokenType: 'Bearer',
  };
}

/** REFRESH_TOKEN_AUTH: new ID and access tokens from a live refresh token, no new refresh token. */
export function refreshTokens(
  context: PoolContext,
  pool: PoolRecord,
  client: ClientRecord,
  refreshToken: string,
  checkUser: (user: UserRecord) => void,
): AuthenticationResult {
  const stored = context.store.refreshTokenByHash(hashToken(refreshToken));
  if (!stored || stored.clientId !== client.id) throw notAuthorized('Invalid Refresh Token');
  if (stored.revokedAt !== null) throw notAuthorized('Refresh Token has been revoked');
  if (stored.expiresAt <= context.clock()) throw notAuthorized('Refresh Token has expired');
  const user = context.store.userById(stored.userId);
  if (!user) throw notAuthorized('Invalid Refresh Token');
  checkUser(user);
  const signed = signTokens(context, pool, client, user, stored);
  context.store.extendRefreshTokenRetention(stored.originJti, signed.accessExpiresAt);
  return {
    AccessToken: signed.accessToken,
    IdToken: signed.idToken,
    ExpiresIn: signed.expiresIn,
    TokenType: 'Bearer',
  };
}

export interface VerifiedAccess {
  pool: PoolRecord;
  client: ClientRecord;
  user: UserRecord;
  claims: Claims;
}

/**
 * Everything Cognito checks before it honours an access token on its own API:
 * RS256 signature by this pool's access key, expiry, issuer, token use, app client,
 * the user (exists, enabled) and revocation (sign-out, RevokeToken, disable).
 */
export function verifyAccessToken(context: PoolContext, token: string): VerifiedAccess {
  const result = verifyJwt(token, context.keys, Math.floor(context.clock() / 1000));
  if (!result.ok) {
    throw notAuthorized(
      result.reason === 'expired' ? 'Access Token has expired' : 'Invalid Access Token',
    );
  }
  const { claims } = result;
  if (result.use !== 'access' || claims.token_use !== 'access') {
    throw notAuthorized('Invalid Access Token');
  }
  const prefix = `${context.issuerBase()}/`;
  const iss = typeof claims.iss === 'string' ? claims.iss : '';
  const pool = iss.startsWith(prefix) ? context.store.getPool(iss.slice(prefix.length)) : undefined;
  const client =
    typeof claims.client_id === 'string' ? context.store.getClient(claims.client_id) : undefined;
  if (!pool || !client || client.poolId !== pool.id || typeof claims.sub !== 'string') {
    throw notAuthorized('Invalid Access Token');
  }
  const user = context.store.userBySub(pool.id, claims.sub);
  if (!user) throw userNotFound('User does not exist.');
  if (!user.enabled) throw notAuthorized('User is disabled.');
  const origin = typeof claims.origin_jti === 'string' ? claims.origin_jti : '';
  const grant = context.store.refreshTokenByOrigin(origin);
  if (!grant || grant.revokedAt !== null || grant.userId !== user.id) {
    throw notAuthorized('Access Token has been revoked');
  }
  return { pool, client, user, claims };
}
