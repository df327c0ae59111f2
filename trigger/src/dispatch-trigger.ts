import type { PreSignUpTriggerEvent, UserMigrationTriggerEvent } from 'aws-lambda';
import { LegacyStoreUnavailableError } from './domain/errors';
import { migrateUser, type MigrationDeps } from './domain/migrate-user';
import { SignUpUnavailableError } from './pre-sign-up/errors';
import { refuseLegacySignUp } from './pre-sign-up/refuse-legacy-sign-up';

/** The events this one function serves: it is the pool's UserMigration and PreSignUp trigger. */
export type CognitoTriggerEvent = UserMigrationTriggerEvent | PreSignUpTriggerEvent;

/** Which of the two triggers an event is for: the dimension of its metrics. */
export type TriggerName = 'UserMigration' | 'PreSignUp';

/** Null-safe: Lambda hands the function any JSON, `null` included. */
const isPreSignUp = (event: CognitoTriggerEvent): event is PreSignUpTriggerEvent =>
  typeof event?.triggerSource === 'string' && event.triggerSource.startsWith('PreSignUp_');

/** `PreSignUp` for `PreSignUp_*` events, `UserMigration` for anything else (as dispatched). */
export const triggerNameOf = (event: CognitoTriggerEvent): TriggerName =>
  isPreSignUp(event) ? 'PreSignUp' : 'UserMigration';

/**
 * Sends a Cognito trigger event to its logic by `triggerSource`: `PreSignUp_*` to the
 * sign-up guard, anything else to the migration (which refuses sources it does not know).
 */
export function dispatchTrigger(
  event: CognitoTriggerEvent,
  deps: MigrationDeps,
): Promise<CognitoTriggerEvent> {
  return isPreSignUp(event) ? refuseLegacySignUp(event, deps) : migrateUser(event, deps);
}

/**
 * What to throw when the legacy store could not even be set up (its secret unreadable):
 * the same error as an unreachable store, never the set-up's details (Cognito shows the
 * message to the caller). A sign-up is refused (fail closed); a migration cannot check the
 * person right now, which the auth-server answers 503, never as a wrong password.
 */
export function setUpFailure(event: CognitoTriggerEvent, error: unknown): Error {
  return isPreSignUp(event)
    ? new SignUpUnavailableError({ cause: error })
    : new LegacyStoreUnavailableError({ cause: error });
}
