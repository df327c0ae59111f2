import type { FeedState, FeedStatus, RevocationList } from '@authstack/shared/state-store';
import type { VerifiedIdentity } from './cognito-claims';

/** `off`: no state store configured; otherwise what happens once the copy is too stale. */
export type RevocationMode = 'fail-closed' | 'fail-open' | 'off';

/**
 * The in-memory copy of the live revocations and how current it is: what `RevocationFeed`
 * offers. Tests pass a real `RevocationList` with a staleness they control.
 */
export interface RevocationCopy {
  readonly list: Pick<RevocationList, 'isRevoked' | 'currentGroups'>;
  /** Milliseconds since the copy was last proved complete; Infinity before the first load. */
  stalenessMs(): number;
  status(): FeedStatus;
}

/** What `/readyz` says about the revocation copy. */
export interface RevocationReport {
  state: FeedState | 'off';
  /** null before the first full load, and when checks are off. */
  stalenessMs: number | null;
  entries: number;
  mode: RevocationMode;
  maxStalenessMs: number | null;
}

export interface RevocationCheckOptions {
  copy: RevocationCopy;
  /** Past this, a fail-closed check refuses every request (503 `revocation_unavailable`). */
  maxStalenessMs: number;
  /** Keep serving from the last copy however old it is (and from none before the first load). */
  failOpen: boolean;
}

/** How long a client is asked to wait after 503 `revocation_unavailable`. */
export const REVOCATION_RETRY_AFTER_SECONDS = 5;

/**
 * Applies the live revocations to a verified identity. Every call is a few map lookups on
 * the in-memory copy and allocates nothing unless a group was taken away: it runs on every
 * request, cached token or not.
 */
export class RevocationCheck {
  readonly mode: RevocationMode;
  readonly #copy: RevocationCopy | undefined;
  readonly #maxStalenessMs: number;
  readonly #failClosed: boolean;

  /** No state store: nothing is ever revoked, nothing is ever refused for staleness. */
  static off(): RevocationCheck {
    return new RevocationCheck();
  }

  /** Without options, checks are off (`RevocationCheck.off()`). */
  constructor(options?: RevocationCheckOptions) {
    this.#copy = options?.copy;
    this.#maxStalenessMs = options?.maxStalenessMs ?? Infinity;
    this.#failClosed = options !== undefined && !options.failOpen;
    this.mode = options === undefined ? 'off' : this.#failClosed ? 'fail-closed' : 'fail-open';
  }

  /**
   * True while requests must be refused because the copy may have missed revocations:
   * fail-closed, and older than the bound or not loaded yet.
   */
  get refusing(): boolean {
    return this.#failClosed && !((this.#copy?.stalenessMs() ?? 0) <= this.#maxStalenessMs);
  }

  /** A sign-out, password change, disable or delete has revoked this token. */
  isRevoked(identity: VerifiedIdentity): boolean {
    return this.#copy?.list.isRevoked(identity) ?? false;
  }

  /**
   * The identity with the groups the user still has: a group the user was removed from
   * after the token was issued is taken out. The identity itself when nothing changes.
   */
  current(identity: VerifiedIdentity): VerifiedIdentity {
    if (this.#copy === undefined) return identity;
    const groups = this.#copy.list.currentGroups(identity, identity.groups);
    if (groups === identity.groups) return identity;
    return Object.freeze({ ...identity, groups: Object.freeze([...groups]) });
  }

  report(): RevocationReport {
    if (this.#copy === undefined) {
      return { state: 'off', stalenessMs: null, entries: 0, mode: 'off', maxStalenessMs: null };
    }
    const status = this.#copy.status();
    return {
      state: status.state,
      stalenessMs: status.stalenessMs,
      entries: status.revocations,
      mode: this.mode,
      maxStalenessMs: this.#maxStalenessMs,
    };
  }
}
