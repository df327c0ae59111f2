import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { TokenRejectedError } from './token-errors';

export type TokenUse = 'id' | 'access';
export type AcceptedTokenUse = TokenUse | 'both';

/** What a verified Cognito ID or access token says about its bearer. */
export interface VerifiedIdentity {
  readonly sub: string;
  readonly tokenUse: TokenUse;
  /** `cognito:username` (ID token) or `username` (access token). */
  readonly username: string | null;
  /** ID tokens only; null on access tokens, which carry no profile attributes. */
  readonly email: string | null;
  readonly name: string | null;
  readonly groups: readonly string[];
  /** Access tokens only; empty on ID tokens. */
  readonly scopes: readonly string[];
  /** `aud` (ID token) or `client_id` (access token). */
  readonly clientId: string;
  /** `exp`, in seconds since the epoch. */
  readonly expiresAt: number;
  /** `iat`, in seconds since the epoch: what a revocation's `notBefore` is compared with. */
  readonly issuedAt: number;
  /** `origin_jti`: shared by the tokens of one sign-in and its refreshes; null if absent. */
  readonly originJti: string | null;
}

export interface ClaimRules {
  clientIds: ReadonlySet<string>;
  acceptedTokenUse: AcceptedTokenUse;
  clockSkewSeconds: number;
}

/** Reads a claim only when the payload itself holds it (never an inherited property). */
function own(payload: JwtPayload, name: string): unknown {
  return Object.hasOwn(payload, name) ? payload[name] : undefined;
}

function optionalString(payload: JwtPayload, name: string): string | null {
  const value = own(payload, name);
  if (value === undefined) return null;
  if (typeof value !== 'string') throw new TokenRejectedError('invalid_claims');
  return value;
}

function requiredString(payload: JwtPayload, name: string): string {
  const value = optionalString(payload, name);
  if (value === null || value.length === 0) throw new TokenRejectedError('invalid_claims');
  return value;
}

function requiredNumber(payload: JwtPayload, name: string): number {
  const value = own(payload, name);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TokenRejectedError('invalid_claims');
  }
  return value;
}

function groupsOf(payload: JwtPayload): readonly string[] {
  const value = own(payload, 'cognito:groups');
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value) || !value.every((group) => typeof group === 'string')) {
    throw new TokenRejectedError('invalid_claims');
  }
  return Object.freeze([...(value as string[])]);
}

function tokenUseOf(payload: JwtPayload, accepted: AcceptedTokenUse): TokenUse {
  const value = own(payload, 'token_use');
  if (value !== 'id' && value !== 'access') throw new TokenRejectedError('wrong_token_use');
  if (accepted !== 'both' && accepted !== value) throw new TokenRejectedError('wrong_token_use');
  return value;
}

/**
 * Checks the Cognito-specific claims of a token whose signature, `iss`, `exp` and `nbf`
 * are already verified, and returns the bearer's identity. Rejects a `token_use` that is
 * missing or not accepted, an `aud` (ID token) or `client_id` (access token) of another
 * app client, an `iat` in the future, and claims of the wrong type. The identity is built
 * field by field, so `__proto__` or `constructor` claims cannot reach any object.
 */
export function readCognitoClaims(
  payload: JwtPayload,
  rules: ClaimRules,
  nowSeconds: number,
): VerifiedIdentity {
  const tokenUse = tokenUseOf(payload, rules.acceptedTokenUse);
  const expiresAt = requiredNumber(payload, 'exp');
  const issuedAt = requiredNumber(payload, 'iat');
  if (issuedAt > nowSeconds + rules.clockSkewSeconds) {
    throw new TokenRejectedError('issued_in_future');
  }
  const sub = requiredString(payload, 'sub');
  const clientId = own(payload, tokenUse === 'id' ? 'aud' : 'client_id');
  if (typeof clientId !== 'string' || !rules.clientIds.has(clientId)) {
    throw new TokenRejectedError('wrong_audience');
  }
  const groups = groupsOf(payload);
  const originJti = optionalString(payload, 'origin_jti');
  if (tokenUse === 'id') {
    return Object.freeze({
      sub,
      tokenUse,
      username: optionalString(payload, 'cognito:username'),
      email: optionalString(payload, 'email'),
      name: optionalString(payload, 'name'),
      groups,
      scopes: Object.freeze([]),
      clientId,
      expiresAt,
      issuedAt,
      originJti,
    });
  }
  const scope = optionalString(payload, 'scope');
  return Object.freeze({
    sub,
    tokenUse,
    username: optionalString(payload, 'username'),
    email: null,
    name: null,
    groups,
    scopes: Object.freeze(scope === null ? [] : scope.split(' ').filter((s) => s.length > 0)),
    clientId,
    expiresAt,
    issuedAt,
    originJti,
  });
}
