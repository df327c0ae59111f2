import type { UserMigrationTriggerEvent } from 'aws-lambda';
import { z } from 'zod';
import {
  isEmail,
  maskIdentifier,
  normalizeEmail,
  passwordPolicyViolations,
  type Logger,
  type PasswordPolicy,
} from '@authstack/shared';
import { InvalidTriggerEventError, MigrationRefusedError } from './errors';
import {
  callLegacyStore,
  emailDomainAllowed,
  MAX_EMAIL_LENGTH,
  type LegacyStoreMetrics,
} from './legacy-store-call';
import type { LegacyProfile, LegacyUserSource } from './legacy-user-source';

export interface MigrationSettings {
  /** Lower-case email domains that may migrate; empty means any. */
  allowedEmailDomains: readonly string[];
  /** Mark every migrated email verified, whatever the legacy store says. */
  trustEmail: boolean;
  /** The user pool's password policy; a legacy password that fails it migrates as RESET_REQUIRED. */
  passwordPolicy: PasswordPolicy;
  /** Longest wait for the legacy store, well under Cognito's 5 s limit for the whole trigger. */
  storeTimeoutMs: number;
}

export interface MigrationDeps {
  users: LegacyUserSource;
  settings: MigrationSettings;
  /** Already carries the Lambda request id. */
  logger: Logger;
  /** The invocation's metrics: each legacy-store call's latency. */
  metrics: LegacyStoreMetrics;
}

/** The parts of the event this function reads; Cognito sends more, which is kept as it is. */
const eventSchema = z.looseObject({
  triggerSource: z.string(),
  userName: z.string(),
  request: z.looseObject({ password: z.string().optional() }).optional(),
});

type FinalUserStatus = 'CONFIRMED' | 'RESET_REQUIRED';

/** The legacy store's verdict: the person to migrate, or why not (for the log only). */
type Verdict =
  | { profile: LegacyProfile; finalUserStatus: FinalUserStatus }
  | { refused: string; hashKind?: string };

const storeCall = (deps: MigrationDeps, logger: Logger) => ({
  timeoutMs: deps.settings.storeTimeoutMs,
  logger,
  metrics: deps.metrics,
});

/** Sign-in: the password must match the legacy hash; a weak one migrates as RESET_REQUIRED. */
async function verdictAtSignIn(
  email: string,
  password: string | undefined,
  deps: MigrationDeps,
  logger: Logger,
): Promise<Verdict> {
  if (!password) return { refused: 'missing_password' };
  const result = await callLegacyStore(storeCall(deps, logger), (signal) =>
    deps.users.authenticate(email, password, signal),
  );
  if (!result.ok)
    return { refused: result.reason, ...(result.hashKind ? { hashKind: result.hashKind } : {}) };
  const meetsPolicy = passwordPolicyViolations(password, deps.settings.passwordPolicy).length === 0;
  return { profile: result.profile, finalUserStatus: meetsPolicy ? 'CONFIRMED' : 'RESET_REQUIRED' };
}

/**
 * Forgot-password: no password to check, so the person must exist and be reachable —
 * Cognito can only send the reset code to a verified address. Migrating an unreachable
 * person would leave an account nobody can enter, that the legacy password could no
 * longer migrate.
 */
async function verdictAtForgotPassword(
  email: string,
  deps: MigrationDeps,
  logger: Logger,
): Promise<Verdict> {
  const profile = await callLegacyStore(storeCall(deps, logger), (signal) =>
    deps.users.lookup(email, signal),
  );
  if (!profile) return { refused: 'unknown_user' };
  if (!profile.disabled && !profile.emailVerified && !deps.settings.trustEmail) {
    return { refused: 'email_not_verified' };
  }
  return { profile, finalUserStatus: 'RESET_REQUIRED' };
}

/**
 * The UserMigration trigger's logic. For `UserMigration_Authentication` it checks the
 * password against the legacy store; for `UserMigration_ForgotPassword` it only looks
 * the person up. On success it fills `event.response` so Cognito creates the user
 * (CONFIRMED, or RESET_REQUIRED when the password breaks the pool's policy or there is
 * no password) and returns the event; otherwise it throws, and Cognito fails the
 * sign-in exactly like a bad password. Never logs the password or the whole event.
 */
export async function migrateUser(
  event: UserMigrationTriggerEvent,
  deps: MigrationDeps,
): Promise<UserMigrationTriggerEvent> {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    deps.logger.warn({ outcome: 'invalid_event' }, 'not a UserMigration event');
    throw new InvalidTriggerEventError('The event is not a UserMigration trigger event');
  }
  const { triggerSource, userName, request } = parsed.data;
  const email = normalizeEmail(userName);
  const logger = deps.logger.child({ triggerSource, user: maskIdentifier(email) });
  const refuse = (reason: string, extra: Record<string, unknown> = {}): never => {
    logger.info({ outcome: 'refused', reason, ...extra }, 'migration refused');
    throw new MigrationRefusedError(reason);
  };

  if (
    triggerSource !== 'UserMigration_Authentication' &&
    triggerSource !== 'UserMigration_ForgotPassword'
  ) {
    logger.warn({ outcome: 'invalid_event' }, 'unsupported trigger source');
    throw new InvalidTriggerEventError('Unsupported trigger source');
  }
  if (email.length > MAX_EMAIL_LENGTH || !isEmail(email)) return refuse('not_an_email');
  if (!emailDomainAllowed(email, deps.settings.allowedEmailDomains)) {
    return refuse('email_domain_not_allowed');
  }

  const verdict =
    triggerSource === 'UserMigration_Authentication'
      ? await verdictAtSignIn(email, request?.password, deps, logger)
      : await verdictAtForgotPassword(email, deps, logger);
  if ('refused' in verdict) {
    const { refused, ...extra } = verdict;
    return refuse(refused, extra);
  }
  const { profile, finalUserStatus } = verdict;
  if (profile.disabled) return refuse('disabled');

  const emailVerified = profile.emailVerified || deps.settings.trustEmail;
  event.response = {
    ...event.response,
    userAttributes: {
      email,
      email_verified: emailVerified ? 'true' : 'false',
      ...(profile.name ? { name: profile.name } : {}),
    },
    finalUserStatus,
    messageAction: 'SUPPRESS',
  };
  logger.info(
    {
      outcome: 'migrated',
      finalUserStatus,
      emailVerified,
      ...(finalUserStatus === 'RESET_REQUIRED' && !emailVerified
        ? { resetCodeUndeliverable: true }
        : {}),
    },
    'user migrated',
  );
  return event;
}
