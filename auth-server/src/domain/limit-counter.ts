import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';
import type { StateStoreClient, StateStoreHealth } from './state-store-health';

/** How many times a key was counted in its current window, and where. */
export interface LimitUsage {
  count: number;
  /** Until the window of the key ends (0 when the key has no window running). */
  msBeforeReset: number;
  /** `shared`: every instance's count (the state store); `per-process`: this process's only. */
  countedIn: 'shared' | 'per-process';
}

export interface LimitCounterOptions {
  /** Prefix of the counter's keys in the store, e.g. `signin_email`. */
  name: string;
  /** Only used to size the counters; the caller decides what is over the limit. */
  limit: number;
  windowMs: number;
  /** The state store's pool; without it the counter is per process. */
  db: StateStoreClient | undefined;
  health: StateStoreHealth;
}

/** The table the state store's migrations create in rate-limiter-flexible's layout. */
const TABLE = 'rate_limits';

function usageOf(res: RateLimiterRes | null, countedIn: LimitUsage['countedIn']): LimitUsage {
  if (res === null || res.msBeforeNext <= 0) return { count: 0, msBeforeReset: 0, countedIn };
  return { count: res.consumedPoints, msBeforeReset: res.msBeforeNext, countedIn };
}

/**
 * One fixed-window counter per key (rate-limiter-flexible), kept in the shared state
 * store so every instance counts together and a restart forgets nothing. While the
 * store is down (or not configured) it counts in this process's memory instead. The
 * memory counter also counts all along, so an outage starts from this process's own
 * history rather than from zero. Never throws: a failed query falls back.
 */
export class LimitCounter {
  readonly name: string;
  readonly #shared: RateLimiterPostgres | undefined;
  readonly #local: RateLimiterMemory;
  readonly #health: StateStoreHealth;

  constructor({ name, limit, windowMs, db, health }: LimitCounterOptions) {
    const sizing = { keyPrefix: name, points: limit, duration: windowMs / 1000 };
    this.name = name;
    this.#health = health;
    this.#local = new RateLimiterMemory(sizing);
    this.#shared =
      db === undefined
        ? undefined
        : new RateLimiterPostgres({
            ...sizing,
            storeClient: db,
            storeType: 'pool',
            tableName: TABLE,
            tableCreated: true,
          });
  }

  /** The key's count so far, without counting. */
  async peek(key: string): Promise<LimitUsage> {
    return this.#inStoreOr(
      async (shared) => usageOf(await shared.get(key), 'shared'),
      async () => usageOf(await this.#local.get(key), 'per-process'),
    );
  }

  /** Counts one for the key; the count afterwards. */
  async add(key: string): Promise<LimitUsage> {
    const local = usageOf(await this.#local.penalty(key), 'per-process');
    return this.#inStoreOr(
      async (shared) => usageOf(await shared.penalty(key), 'shared'),
      async () => local,
    );
  }

  async #inStoreOr(
    query: (shared: RateLimiterPostgres) => Promise<LimitUsage>,
    fallback: () => Promise<LimitUsage>,
  ): Promise<LimitUsage> {
    if (this.#shared === undefined || !this.#health.useStore()) return fallback();
    try {
      return await query(this.#shared);
    } catch (error) {
      this.#health.reportFailure(error);
      return fallback();
    }
  }
}
