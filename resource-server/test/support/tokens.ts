import {
  createHmac,
  createSign,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import type { Jwk } from 'aws-jwt-verify/jwk';

/** An RSA signing key the test owns, with the public half as a JWK. */
export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: Jwk & { n: string; e: string };
  publicPem: string;
}

export function createTestKey(kid = randomUUID()): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { n, e } = publicKey.export({ format: 'jwk' });
  return {
    kid,
    privateKey,
    publicJwk: { kty: 'RSA', n: String(n), e: String(e), kid, alg: 'RS256', use: 'sig' },
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

export const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

const encode = (value: unknown): string => b64url(JSON.stringify(value));

/** Signs `header.payload` with RS256 (the header is taken as given). */
export function signRs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject,
): string {
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
  return `${input}.${signature}`;
}

export function signHs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret: string | Buffer,
): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function unsigned(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): string {
  return `${encode(header)}.${encode(payload)}.`;
}

export interface PoolIdentity {
  issuer: string;
  clientId: string;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Claims exactly as Cognito puts them in an ID token. */
export function idTokenClaims(
  pool: PoolIdentity,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const iat = nowSeconds();
  return {
    sub: 'a1b2c3d4-0000-4000-8000-000000000001',
    aud: pool.clientId,
    'cognito:groups': ['admin'],
    email_verified: true,
    event_id: randomUUID(),
    token_use: 'id',
    auth_time: iat,
    iss: pool.issuer,
    'cognito:username': 'alice',
    exp: iat + 3600,
    iat,
    jti: randomUUID(),
    origin_jti: randomUUID(),
    email: 'alice@example.com',
    name: 'Alice Example',
    ...overrides,
  };
}

/** Claims exactly as Cognito puts them in an access token. */
export function accessTokenClaims(
  pool: PoolIdentity,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const iat = nowSeconds();
  return {
    sub: 'a1b2c3d4-0000-4000-8000-000000000001',
    'cognito:groups': ['admin'],
    iss: pool.issuer,
    client_id: pool.clientId,
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    auth_time: iat,
    exp: iat + 3600,
    iat,
    jti: randomUUID(),
    username: 'alice',
    ...overrides,
  };
}

/** A correctly signed token for `key`, with the given claims. */
export function signedToken(key: TestKey, claims: Record<string, unknown>): string {
  return signRs256({ kid: key.kid, alg: 'RS256' }, claims, key.privateKey);
}
