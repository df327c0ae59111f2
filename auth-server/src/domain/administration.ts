import type { Revocations } from './revocations';
import type { ListedUser, UserPool } from './user-pool';

/**
 * What members of the admin group may do to other users, named by email. Every action
 * that must end the user's sessions records the revocation first (404 `user_not_found`
 * when there is no such user, 503 `revocation_unavailable` when it cannot be recorded),
 * and only then calls the pool.
 */
export class Administration {
  readonly #pool: UserPool;
  readonly #revocations: Revocations;

  constructor(options: { pool: UserPool; revocations: Revocations }) {
    this.#pool = options.pool;
    this.#revocations = options.revocations;
  }

  listUsers(page: {
    limit: number;
    nextToken?: string;
  }): Promise<{ users: ListedUser[]; nextToken: string | null }> {
    return this.#pool.listUsers(page);
  }

  addToGroup(email: string, group: string): Promise<void> {
    return this.#pool.addToGroup(email, group);
  }

  /** Tokens issued up to now stop counting as membership of `group`. */
  async removeFromGroup(email: string, group: string): Promise<void> {
    const sub = await this.#subToRevoke(email);
    if (sub !== undefined) await this.#revocations.revokeGroup(sub, group);
    await this.#pool.removeFromGroup(email, group);
  }

  signOut(email: string): Promise<void> {
    return this.#revokeUserThen(email, () => this.#pool.signOutEverywhere(email));
  }

  /** Disabling also revokes every token of the user; enabling revokes nothing. */
  setEnabled(email: string, enabled: boolean): Promise<void> {
    if (enabled) return this.#pool.setEnabled(email, true);
    return this.#revokeUserThen(email, () => this.#pool.setEnabled(email, false));
  }

  deleteUser(email: string): Promise<void> {
    return this.#revokeUserThen(email, () => this.#pool.deleteUser(email));
  }

  /**
   * The password stops working, then every refresh token of the user is revoked at the pool
   * (AdminUserGlobalSignOut): AdminResetUserPassword alone leaves every session going.
   * Reset first, so that nobody can sign in again with the old password in between.
   */
  resetPassword(email: string): Promise<void> {
    return this.#revokeUserThen(email, async () => {
      await this.#pool.adminResetPassword(email);
      await this.#pool.signOutEverywhere(email);
    });
  }

  async #revokeUserThen(email: string, poolCall: () => Promise<void>): Promise<void> {
    const sub = await this.#subToRevoke(email);
    if (sub !== undefined) await this.#revocations.revokeUser(sub);
    await poolCall();
  }

  /** The user's sub when a revocation is to be recorded; without a store the pool call alone answers 404. */
  async #subToRevoke(email: string): Promise<string | undefined> {
    if (!this.#revocations.recording) return undefined;
    const { sub } = await this.#pool.findUser(email);
    return sub;
  }
}
