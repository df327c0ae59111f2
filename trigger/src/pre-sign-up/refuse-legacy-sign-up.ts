import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { z } from 'zod';
import { isEmail, maskIdentifier, normalizeEmail, type Logger } from '@authstack/shared';
import { InvalidTriggerEventError, LegacyStoreUnavailableError } from '../domain/errors';
import {
  callLegacyStore,
  emailDomainAllowed,
  MAX_EMAIL_LENGTH,
  type LegacyStoreMetrics,
} from '../domain/legacy-store-call';
import type { LegacyUserSource } from '../domain/legacy-user-source';
import type { MigrationSettings } from '../domain/migrate-user';
import { LegacyAccountExistsError, SignUpUnavailableError } from './errors';

export interface PreSignUpDeps {
  users: Pick<LegacyUserSource, 'holdsAccount'>;
  /** The migration's own settings: an address outside its domains never migrates, so it is not guarded. */
  settings: Pick<MigrationSettings, 'allowedEmailDomains' | 'storeTimeoutMs'>;
  /** Already carries the Lambda request id. */
  logger: Logger;
  /** The invocation's metrics: each legacy-store call's latency. */
  metrics: LegacyStoreMetrics;
}

/** The sources that create a local user over an address: self-service and admin creation. */
const GUARDED_SOURCES: ReadonlySet<string> = new Set([
  'PreSignUp_SignUp',
  'PreSignUp_AdminCreateUser',
]);

/** The parts of the event this function reads; the rest is handed back as Cognito sent it. */
const eventSchema = z.looseObject({
  triggerSource: z.string(),
  userName: z.string(),
  request: z.looseObject({
    userAttributes: z.record(z.string(), z.string()).nullish(),
  }),
});

/**
 * The addresses a sign-up would take: the `email` attribute and, in a pool whose
 * usernames are free text, a username that is itself an address (where email is the
 * username, Cognito sends a UUID as `userName`). Trimmed and lower-cased, as the
 * legacy store is searched; only those in the migration's domains.
 */
function addressesTaken(
  userName: string,
  attributes: Record<string, string>,
  allowedDomains: readonly string[],
): string[] {
  const candidates = [attributes.email, userName]
    .filter((value): value is string => typeof value === 'string')
    .map(normalizeEmail)
    .filter((email) => email.length <= MAX_EMAIL_LENGTH && isEmail(email))
    .filter((email) => emailDomainAllowed(email, allowedDomains));
  return [...new Set(candidates)];
}

/**
 * The PreSignUp trigger's logic. For `PreSignUp_SignUp` and `PreSignUp_AdminCreateUser`
 * an address that the legacy store holds is refused by throwing `LegacyAccountExistsError`
 * (Cognito then fails the sign-up with `UserLambdaValidationException`), so nobody can
 * sign up over a legacy account before its owner migrates. The pool only calls the
 * trigger for a user it does not have, so a known address here has not migrated.
 * A store that cannot answer refuses the sign-up too (`SignUpUnavailableError`): it
 * fails closed. Any other source (`PreSignUp_ExternalProvider`) passes unchanged. The
 * response is never touched: confirmation and verification stay the pool's business.
 * Logs the outcome with the address masked, never the event.
 */
export async function refuseLegacySignUp(
  event: PreSignUpTriggerEvent,
  deps: PreSignUpDeps,
): Promise<PreSignUpTriggerEvent> {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    deps.logger.warn({ outcome: 'invalid_event' }, 'not a PreSignUp event');
    throw new InvalidTriggerEventError('The event is not a PreSignUp trigger event');
  }
  const { triggerSource, userName, request } = parsed.data;
  if (!GUARDED_SOURCES.has(triggerSource)) {
    deps.logger.info({ triggerSource, outcome: 'not_guarded' }, 'sign-up allowed');
    return event;
  }

  const addresses = addressesTaken(
    userName,
    request.userAttributes ?? {},
    deps.settings.allowedEmailDomains,
  );
  for (const email of addresses) {
    const logger = deps.logger.child({ triggerSource, user: maskIdentifier(email) });
    let held: boolean;
    try {
      held = await callLegacyStore(
        { timeoutMs: deps.settings.storeTimeoutMs, logger, metrics: deps.metrics },
        (signal) => deps.users.holdsAccount(email, signal),
      );
    } catch (error) {
      if (!(error instanceof LegacyStoreUnavailableError)) throw error;
      logger.warn(
        { outcome: 'refused', reason: 'store_unavailable' },
        'sign-up refused: the legacy store could not tell whether the address is taken',
      );
      throw new SignUpUnavailableError({ cause: error });
    }
    if (held) {
      logger.info({ outcome: 'refused', reason: 'legacy_account' }, 'sign-up refused');
      throw new LegacyAccountExistsError();
    }
  }
  deps.logger.info(
    {
      triggerSource,
      outcome: 'allowed',
      ...(addresses.length === 0 ? { reason: 'no_legacy_address' } : {}),
      ...(addresses[0] ? { user: maskIdentifier(addresses[0]) } : {}),
    },
    'sign-up allowed',
  );
  return event;
}
