import type { TriggerName } from '../dispatch-trigger';
import {
  InvalidTriggerEventError,
  LegacyStoreUnavailableError,
  MigrationRefusedError,
} from '../domain/errors';
import { LegacyAccountExistsError, SignUpUnavailableError } from '../pre-sign-up/errors';

/** How an invocation ended, in the words of the trigger's log lines (`outcome`, `reason`). */
export type InvocationOutcome =
  | { outcome: 'migrated' | 'allowed' | 'store_unavailable' | 'invalid_event' }
  | { outcome: 'refused'; reason: string }
  /** Anything the trigger does not throw on purpose: a defect. */
  | { outcome: 'error'; errorType: string };

/** The outcome of an invocation that returned: the person migrated, or the sign-up allowed. */
export function succeeded(trigger: TriggerName): InvocationOutcome {
  return { outcome: trigger === 'UserMigration' ? 'migrated' : 'allowed' };
}

/** The outcome of an invocation that threw `error`: every error the trigger throws, in one table. */
export function failed(error: unknown): InvocationOutcome {
  if (error instanceof MigrationRefusedError) return { outcome: 'refused', reason: error.reason };
  if (error instanceof LegacyAccountExistsError) {
    return { outcome: 'refused', reason: 'legacy_account' };
  }
  if (error instanceof LegacyStoreUnavailableError || error instanceof SignUpUnavailableError) {
    return { outcome: 'store_unavailable' };
  }
  if (error instanceof InvalidTriggerEventError) return { outcome: 'invalid_event' };
  return { outcome: 'error', errorType: error instanceof Error ? error.name : typeof error };
}
