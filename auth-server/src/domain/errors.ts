import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  ServiceUnavailableError,
  UnauthorizedError,
} from '@authstack/shared';

/** A new password breaks the pool's password policy; the message names the field and every rule. */
export class WeakPasswordError extends BadRequestError {
  constructor(field: string, rules: string[]) {
    super('weak_password', `${field}: ${rules.join('; ')}.`);
  }
}

export class InvalidTokenError extends UnauthorizedError {
  constructor(message = 'The access token is missing, invalid, expired or revoked.') {
    super('invalid_token', message, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

/** A sign-in challenge's session that the pool does not take: unknown, expired, used up or another user's. */
export class InvalidSessionError extends UnauthorizedError {
  constructor() {
    super('invalid_session', 'The sign-in session is invalid or has expired; sign in again.');
  }
}

export class NotAdminError extends ForbiddenError {
  constructor() {
    super('forbidden', 'This route is for administrators only.');
  }
}

/** Seconds a client should wait before trying a revocation again. */
const REVOCATION_RETRY_AFTER_SECONDS = 5;

/**
 * A revocation could not be recorded in the shared state store. Unless the message says
 * otherwise, nothing was changed: the user pool was not called, so the client may retry.
 */
export class RevocationUnavailableError extends ServiceUnavailableError {
  constructor(
    message = 'The sign-out cannot be recorded right now, so nothing was changed; try again shortly.',
    options: { cause?: unknown } = {},
  ) {
    super('revocation_unavailable', message, {
      ...options,
      headers: { 'Retry-After': String(REVOCATION_RETRY_AFTER_SECONDS) },
    });
  }
}

/** TOTP MFA is not offered: MFA_MODE=off, or the pool has TOTP turned off. */
export class MfaDisabledError extends ForbiddenError {
  constructor() {
    super('mfa_disabled', 'Multi-factor sign-in is not offered by this service.');
  }
}

/**
 * The pool requires MFA of everyone (MfaConfiguration=ON): Cognito ignores turning a user's
 * TOTP off and has no API to remove an authenticator, so nothing is changed.
 */
export class MfaRequiredError extends ConflictError {
  constructor(message: string) {
    super('mfa_required', message);
  }
}
