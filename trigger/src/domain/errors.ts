import { LEGACY_STORE_UNAVAILABLE_MESSAGE } from '@authstack/shared';

/**
 * The one message for every refusal (unknown user, wrong password, disabled, …).
 * Cognito fails the sign-in with `UserLambdaValidationException "UserMigration failed with
 * error <message>."` and shows that to the client, so it must never say which case it was.
 * "Bad password" is the message AWS's own example trigger uses. A store that cannot answer
 * throws `LegacyStoreUnavailableError` instead, with a message of its own.
 */
export const REFUSAL_MESSAGE = 'Bad password';

/**
 * The person is not migrated; Cognito fails the sign-in like any bad password. `reason`
 * (`wrong_password`, `unknown_user`, …) is for the log and the metrics only: Cognito sees
 * the message alone.
 */
export class MigrationRefusedError extends Error {
  constructor(readonly reason: string) {
    super(REFUSAL_MESSAGE);
    this.name = 'MigrationRefused';
  }
}

/**
 * The person cannot be checked right now: the legacy store is down, slow or answering
 * nonsense, or its credentials cannot be read. Nobody is migrated. Its message is the one
 * the auth-server recognises (shared `LEGACY_STORE_UNAVAILABLE_MESSAGE`) to answer 503, not
 * the 401 of a refusal.
 */
export class LegacyStoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super(LEGACY_STORE_UNAVAILABLE_MESSAGE, options);
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
