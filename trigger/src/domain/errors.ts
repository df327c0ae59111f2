/**
 * The one message for every refusal (unknown user, wrong password, disabled, …).
 * Cognito turns any trigger error into a failed sign-in; with PreventUserExistenceErrors
 * off it even shows the message to the client, so it must never say which case it was.
 * "Bad password" is the message AWS's own example trigger uses.
 */
export const REFUSAL_MESSAGE = 'Bad password';

/** The person is not migrated; Cognito fails the sign-in like any bad password. */
export class MigrationRefusedError extends Error {
  constructor() {
    super(REFUSAL_MESSAGE);
    this.name = 'MigrationRefused';
  }
}

/** The legacy store could not answer (down, slow, or answering nonsense); nobody is migrated. */
export class LegacyStoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('Legacy user store unavailable', options);
    this.name = 'LegacyStoreUnavailable';
  }
}

/** The store did not answer within the trigger's deadline. */
export class LegacyStoreTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`Legacy user store did not answer within ${timeoutMs} ms`);
    this.name = 'LegacyStoreTimeout';
  }
}

/** The invocation is not a UserMigration event this function understands. */
export class InvalidTriggerEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTriggerEvent';
  }
}
