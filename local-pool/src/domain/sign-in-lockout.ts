import { notAuthorized } from '../protocol/errors';

/** The lockout key of a user: failed passwords and failed MFA codes count together. */
export const lockKeyOf = (user: { poolId: string; id: number }): string =>
  `${user.poolId}/${user.id}`;

export interface SignInLockoutOptions {
  enabled: boolean;
  /** Failures allowed before the first lock (Cognito: 5). */
  threshold?: number;
  /** First lock; each further failure doubles it (Cognito: 1 s, up to about 15 min). */
  firstLockMs?: number;
  maxLockMs?: number;
}

interface Failures {
  count: number;
  lockedUntil: number;
}

/**
 * Cognito's throttling of failed sign-ins for one user: after `threshold` wrong
 * passwords each further failure locks the user for twice as long, until a success.
 * Off unless enabled (LOCAL_POOL_SIGNIN_LOCKOUT), so test suites that try many wrong
 * passwords are not slowed down. Kept in memory: a restart forgets it.
 */
export class SignInLockout {
  readonly #options: Required<SignInLockoutOptions>;
  readonly #clock: () => number;
  readonly #failures = new Map<string, Failures>();

  constructor(options: SignInLockoutOptions, clock: () => number) {
    this.#options = { threshold: 5, firstLockMs: 1_000, maxLockMs: 15 * 60_000, ...options };
    this.#clock = clock;
  }

  /** NotAuthorizedException while the user is locked. */
  assertNotLocked(key: string): void {
    const entry = this.#failures.get(key);
    if (this.#options.enabled && entry && entry.lockedUntil > this.#clock()) {
      throw notAuthorized('Password attempts exceeded');
    }
  }

  recordFailure(key: string): void {
    if (!this.#options.enabled) return;
    const entry = this.#failures.get(key) ?? { count: 0, lockedUntil: 0 };
    entry.count += 1;
    const over = entry.count - this.#options.threshold;
    if (over >= 0) {
      const lockMs = Math.min(this.#options.firstLockMs * 2 ** over, this.#options.maxLockMs);
      entry.lockedUntil = this.#clock() + lockMs;
    }
    this.#failures.set(key, entry);
  }

  recordSuccess(key: string): void {
    this.#failures.delete(key);
  }
}
