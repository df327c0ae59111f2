import type { PreSignUpTriggerEvent, UserMigrationTriggerEvent } from 'aws-lambda';
import { migrateUser, type MigrationDeps } from './domain/migrate-user';
import { SignUpUnavailableError } from './pre-sign-up/errors';
import { refuseLegacySignUp } from './pre-sign-up/refuse-legacy-sign-up';

/** The events this one function serves: it is the pool's UserMigration and PreSignUp trigger. */
export type CognitoTriggerEvent = UserMigrationTriggerEvent | PreSignUpTriggerEvent;

const isPreSignUp = (event: CognitoTriggerEvent): event is PreSignUpTriggerEvent =>
  typeof event.triggerSource === 'string' && event.triggerSource.startsWith('PreSignUp_');

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
 * Cognito shows a PreSignUp error's message to the caller, so a sign-up is refused with
 * the same words as an unreachable store (fail closed) rather than the set-up's details.
 */
export function setUpFailure(event: CognitoTriggerEvent, error: unknown): unknown {
  return isPreSignUp(event) ? new SignUpUnavailableError({ cause: error }) : error;
}
