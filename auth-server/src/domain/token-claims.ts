import { z } from 'zod';

/** The claims of a Cognito ID or access token that revocation needs. */
export interface TokenClaims {
  sub: string;
  /** `iat`, seconds since the epoch. */
  issuedAt: number;
  /** Access tokens only: the app client the token was issued to. */
  clientId: string | undefined;
  /** Shared by every token of one sign-in and its refreshes. */
  originJti: string | undefined;
}

const JWT = /^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/;

const Claims = z.object({
  sub: z.string().min(1),
  iat: z.number().int().nonnegative(),
  client_id: z.string().min(1).optional(),
  origin_jti: z.string().min(1).optional(),
});

/**
 * The payload of a JWT, decoded WITHOUT checking its signature: use it only on a token the
 * user pool has just issued, or has just accepted (GetUser). Undefined when malformed.
 */
export function unverifiedClaims(token: string): TokenClaims | undefined {
  const payload = JWT.exec(token)?.[1];
  if (payload === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = Claims.safeParse(json);
  if (!parsed.success) return undefined;
  const { sub, iat, client_id: clientId, origin_jti: originJti } = parsed.data;
  return { sub, issuedAt: iat, clientId, originJti };
}
