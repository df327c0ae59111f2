import type { RevocationStore } from '@authstack/shared/state-store';
import { RevocationUnavailableError } from './errors';

/** What the auth-server uses of the shared state store's `RevocationStore`. */
export type RevocationRecorder = Pick<
  RevocationStore,
  'revokeUser' | 'revokeSession' | 'revokeGroup' | 'userNotBefore'
>;

/**
 * Revocations recorded in the shared state store, which every resource-server follows.
 * Each `revoke…` resolves once the revocation is committed, with its `notBefore`, and
 * throws `RevocationUnavailableError` (503) when it cannot be recorded: callers record
 * *before* they call the user pool, so a failure leaves everything as it was. Without a
 * store (STATE_DATABASE_URL unset) nothing is recorded and sign-out reaches the pool only.
 */
export class Revocations {
  readonly #store: RevocationRecorder | undefined;

  constructor(store: RevocationRecorder | undefined) {
    this.#store = store;
  }

  /** False when no store is configured: there is nothing to record. */
  get recording(): boolean {
    return this.#store !== undefined;
  }

  /** Every token of the user issued up to now. */
  revokeUser(sub: string): Promise<number | undefined> {
    return this.#record((store) => store.revokeUser(sub));
  }

  /** Every token of one sign-in and its refreshes. */
  revokeSession(originJti: string): Promise<number | undefined> {
    return this.#record((store) => store.revokeSession(originJti));
  }

  /** The claim of membership of `group` in the user's tokens issued up to now. */
  revokeGroup(sub: string, group: string): Promise<number | undefined> {
    return this.#record((store) => store.revokeGroup(sub, group));
  }

  /**
   * Resolves once the store has answered (at once without a store); throws
   * `RevocationUnavailableError` (503, nothing changed) when it cannot be asked. For a change
   * that cannot be undone and must be followed by a revocation: it is made only while the
   * revocation can be recorded.
   */
  async assertAvailable(sub: string): Promise<void> {
    await this.#record((store) => store.userNotBefore(sub));
  }

  /**
   * The `notBefore` of the user's live revocation: tokens issued earlier are refused.
   * Undefined when there is none or no store; rejects when the store cannot be asked.
   */
  async userNotBefore(sub: string): Promise<number | undefined> {
    return this.#store?.userNotBefore(sub);
  }

  async #record<T>(revoke: (store: RevocationRecorder) => Promise<T>): Promise<T | undefined> {
    if (this.#store === undefined) return undefined;
    try {
      return await revoke(this.#store);
    } catch (error) {
      throw new RevocationUnavailableError(undefined, { cause: error });
    }
  }
}
