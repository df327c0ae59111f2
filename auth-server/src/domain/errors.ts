import { BadRequestError, ForbiddenError, UnauthorizedError } from '@authstack/shared';

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

export class NotAdminError extends ForbiddenError {
  constructor() {
    super('forbidden', 'This route is for administrators only.');
  }
}
