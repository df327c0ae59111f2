/** Why a bearer token was turned away; each maps to one 401 message at the HTTP edge. */
export const REJECTION_REASONS = [
  'malformed',
  'unsupported_algorithm',
  'unknown_key',
  'bad_signature',
  'expired',
  'not_yet_valid',
  'issued_in_future',
  'wrong_issuer',
  'wrong_audience',
  'wrong_token_use',
  'invalid_claims',
  /** Verified, but revoked since: sign-out, password change, disable or delete. */
  'revoked',
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** The token is not acceptable: answered 401 `invalid_token`. */
export class TokenRejectedError extends Error {
  readonly reason: RejectionReason;
  constructor(reason: RejectionReason, options?: { cause?: unknown }) {
    super(`token rejected: ${reason}`, options);
    this.name = 'TokenRejectedError';
    this.reason = reason;
  }
}

/**
 * No usable signing key because the JWKS cannot be fetched right now (or its cached
 * copy is too old to trust): answered 503 with `Retry-After`.
 */
export class SigningKeysUnavailableError extends Error {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, options?: { cause?: unknown }) {
    super('signing keys unavailable', options);
    this.name = 'SigningKeysUnavailableError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
