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

/** One person in a listing of the legacy store: the profile, and how many rows share the address. */
export interface LegacyListedUser extends LegacyProfile {
  /**
   * Rows under this address, compared case-insensitively: more than one is a person the
   * trigger cannot migrate either (`ambiguous_user`).
   */
  rows: number;
}

export interface LegacyUserPage {
  users: LegacyListedUser[];
  /** Where the next page starts; absent after the last page. */
  next?: string;
}

export interface LegacyListFilter {
  /** A `next` from the previous page; absent for the first page. */
  after?: string;
  /** At most this many users (1–1000). */
  limit: number;
  /** Only users whose legacy record was created at or after this instant. */
  since?: Date;
}

/**
 * The legacy store read as a whole, in a stable order (the bulk import). Separate from
 * `LegacyUserSource` because the trigger never lists anyone; both adapters implement both.
 */
export interface LegacyUserDirectory {
  listUsers(filter: LegacyListFilter, signal: AbortSignal): Promise<LegacyUserPage>;
  /** How many users `listUsers` will return in all; undefined when the store cannot tell. */
  countUsers(since: Date | undefined, signal: AbortSignal): Promise<number | undefined>;
}

/** The listing asked for `since` but the store has no creation time to filter on. */
export class LegacyListingUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LegacyListingUnsupportedError';
  }
}
