import { isEmail, normalizeEmail } from '@authstack/shared';
import { emailDomainAllowed, MAX_EMAIL_LENGTH } from './legacy-store-call';
import type { LegacyListedUser } from './legacy-user-source';
import type { MigrationSettings } from './migrate-user';

/** Cognito's limit on a username; with email sign-in the address is the username. */
export const MAX_USERNAME_LENGTH = 128;
/** Cognito's limit on one attribute value (here: `name`). */
export const MAX_ATTRIBUTE_LENGTH = 2048;

/** Why a legacy user is not put in an import file: the trigger's own refusals, and Cognito's limits. */
export type ImportRefusal =
  | 'not_an_email'
  | 'email_too_long'
  | 'email_domain_not_allowed'
  | 'ambiguous_user'
  | 'disabled'
  | 'email_not_verified'
  | 'name_too_long';

export type ImportVerdict = { email: string; name?: string } | { refused: ImportRefusal };

/**
 * Whether a legacy user may be imported, by the rules the trigger applies when someone who
 * never signs in asks for a password reset (`UserMigration_ForgotPassword`): an importable
 * person is one the forgot-password flow would have migrated. The reset code must reach a
 * verified address, so an unverified one is refused unless `MIGRATION_TRUST_EMAIL` is set.
 */
export function importVerdict(user: LegacyListedUser, settings: MigrationSettings): ImportVerdict {
  const email = normalizeEmail(user.email);
  if (email.length > MAX_EMAIL_LENGTH || !isEmail(email)) return { refused: 'not_an_email' };
  if (email.length > MAX_USERNAME_LENGTH) return { refused: 'email_too_long' };
  if (!emailDomainAllowed(email, settings.allowedEmailDomains)) {
    return { refused: 'email_domain_not_allowed' };
  }
  if (user.rows > 1) return { refused: 'ambiguous_user' };
  if (user.disabled) return { refused: 'disabled' };
  if (!user.emailVerified && !settings.trustEmail) return { refused: 'email_not_verified' };
  if (user.name && user.name.length > MAX_ATTRIBUTE_LENGTH) return { refused: 'name_too_long' };
  return { email, ...(user.name ? { name: user.name } : {}) };
}
