import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '@authstack/shared';
import type { MfaConfiguration, UserPool } from './user-pool';

export interface PoolStatusOptions {
  /** How long one answer of the pool counts, so probes do not hammer it. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Whether the user pool answers, its password policy and its MfaConfiguration, from one
 * cheap DescribeUserPool call that is cached for a couple of seconds. Until the pool has
 * answered once, the policy is Cognito's default and the MFA configuration unknown.
 */
export class PoolStatus {
  readonly #pool: Pick<UserPool, 'describe'>;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY;
  #policySource: 'pool' | 'default' = 'default';
  #mfaConfiguration: MfaConfiguration | undefined;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #reachable = false;
  #inFlight: Promise<boolean> | undefined;

  constructor(pool: Pick<UserPool, 'describe'>, options: PoolStatusOptions = {}) {
    this.#pool = pool;
    this.#ttlMs = options.ttlMs ?? 2_000;
    this.#now = options.now ?? Date.now;
  }

  get passwordPolicy(): PasswordPolicy {
    return this.#policy;
  }

  /**
   * The policy to check new passwords against: the pool's, asking it first if it has
   * not answered yet (at most once per ttl); Cognito's default if it still does not.
   */
  async currentPasswordPolicy(): Promise<PasswordPolicy> {
    if (this.#policySource === 'default') await this.check();
    return this.#policy;
  }

  /** The pool's MfaConfiguration as last read; undefined until the pool has answered. */
  get mfaConfiguration(): MfaConfiguration | undefined {
    return this.#mfaConfiguration;
  }

  /**
   * The pool's MfaConfiguration, read again when the last answer is older than the ttl;
   * the last one known (or undefined) when the pool does not answer.
   */
  async currentMfaConfiguration(): Promise<MfaConfiguration | undefined> {
    await this.check();
    return this.#mfaConfiguration;
  }

  /** `pool` once DescribeUserPool has answered, `default` before. */
  get passwordPolicySource(): 'pool' | 'default' {
    return this.#policySource;
  }

  /** True when the pool answered within the last `ttlMs`; concurrent callers share one call. */
  async check(): Promise<boolean> {
    if (this.#now() - this.#checkedAt < this.#ttlMs) return this.#reachable;
    this.#inFlight ??= this.#probe().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #probe(): Promise<boolean> {
    try {
      const { passwordPolicy, mfaConfiguration } = await this.#pool.describe();
      this.#policy = passwordPolicy;
      this.#mfaConfiguration = mfaConfiguration;
      this.#policySource = 'pool';
      this.#reachable = true;
    } catch {
      this.#reachable = false;
    }
    this.#checkedAt = this.#now();
    return this.#reachable;
  }
}
