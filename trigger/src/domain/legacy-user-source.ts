/** What the legacy system knows about a person. */
export interface LegacyProfile {
  email: string;
  name?: string;
  emailVerified: boolean;
  disabled: boolean;
}

/** Why the legacy store did not accept the credentials; for logs only, never for the caller. */
export type LegacyRejection =
  | 'unknown_user'
  | 'wrong_password'
  | 'unsupported_hash'
  | 'ambiguous_user'
  | 'rejected_by_legacy_auth';

export type LegacyAuthResult =
  { ok: true; profile: LegacyProfile } | { ok: false; reason: LegacyRejection; hashKind?: string };

/**
 * The legacy user store, whatever it is (a database table, a login endpoint).
 * Every method resolves for "no such user / wrong password" and rejects only for
 * faults (store down, slow, answering nonsense). `signal` aborts when the
 * trigger's deadline passes.
 */
export interface LegacyUserSource {
  /** Checks an email and password the way the legacy system did. */
  authenticate(email: string, password: string, signal: AbortSignal): Promise<LegacyAuthResult>;
  /** Finds a user without a password (the forgot-password flow); undefined when unknown. */
  lookup(email: string, signal: AbortSignal): Promise<LegacyProfile | undefined>;
  /**
   * Whether the store holds any account under this address — disabled ones, ones that
   * could never migrate (two rows, a hash the trigger cannot verify) included. The
   * PreSignUp check; rejects when the store cannot tell.
   */
  holdsAccount(email: string, signal: AbortSignal): Promise<boolean>;
  /**
   * Resolves when the store answers at all, rejects when it cannot be reached: the local
   * invoke server's readiness. Looks nobody up.
   */
  ping(signal: AbortSignal): Promise<void>;
}
