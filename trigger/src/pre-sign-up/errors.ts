/**
 * What a sign-up over a legacy account is refused with. Cognito shows the caller
 * `UserLambdaValidationException: PreSignUp failed with error <this>.`, which reads like
 * its own `UsernameExistsException` ("An account with the given email already exists."):
 * the caller learns no more than an address already in the pool would tell them.
 */
export const LEGACY_ACCOUNT_EXISTS_MESSAGE = 'An account with the given email already exists';

/** What a sign-up is refused with while the legacy store cannot answer (fail closed). */
export const SIGN_UP_UNAVAILABLE_MESSAGE = 'Sign-up is temporarily unavailable; try again later';

/** The address belongs to a legacy account that has not migrated: the sign-up is refused. */
export class LegacyAccountExistsError extends Error {
  constructor() {
    super(LEGACY_ACCOUNT_EXISTS_MESSAGE);
    this.name = 'LegacyAccountExists';
  }
}

/** The legacy store could not say whether the address is taken, so the sign-up is refused. */
export class SignUpUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super(SIGN_UP_UNAVAILABLE_MESSAGE, options);
    this.name = 'SignUpUnavailable';
  }
}
