import { sign, verify } from 'node:crypto';
import type { KeyStore, SigningKey, TokenUse } from './keys';

export type Claims = Record<string, unknown>;

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs `claims` as a compact RS256 JWT with header `{kid, alg}` as Cognito writes it. */
export function signJwt(claims: Claims, key: SigningKey): string {
  const input = `${encode({ kid: key.kid, alg: 'RS256' })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(input), key.privateKey).toString('base64url');
  return `${input}.${signature}`;
}

export type JwtFailure = 'malformed' | 'signature' | 'expired';

export type JwtResult =
  { ok: true; claims: Claims; use: TokenUse } | { ok: false; reason: JwtFailure };

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function parseJson(segment: string): Record<string, unknown> | undefined {
  if (!BASE64URL.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a token this pool issued: exactly three segments, header alg exactly
 * RS256 with a kid of ours (no other header is trusted), a valid signature, and a
 * numeric exp in the future. The caller checks issuer, token use, client and revocation.
 */
export function verifyJwt(token: string, keys: KeyStore, nowSeconds: number): JwtResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = parseJson(headerPart);
  if (!header || header.alg !== 'RS256' || typeof header.kid !== 'string') {
    return { ok: false, reason: 'malformed' };
  }
  const key = keys.byKid(header.kid);
  if (!key || !BASE64URL.test(signaturePart) || signaturePart.length === 0) {
    return { ok: false, reason: 'signature' };
  }
  const valid = verify(
    'sha256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    key.publicKey,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!valid) return { ok: false, reason: 'signature' };
  const claims = parseJson(payloadPart);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) {
    return { ok: false, reason: 'expired' };
  }
  return { ok: true, claims, use: key.use };
}
