import type { Logger } from '@authstack/shared';

/** What the tracker and the rate limits need of the store's connections: a pg `Pool`. */
export interface StateStoreClient {
  query(query: string | { text: string; values?: unknown[]; name?: string }): Promise<unknown>;
}

/** What `/readyz` says of the shared state store. */
export type StateStoreState = 'ok' | 'unavailable' | 'not configured';

export interface StateStoreHealthOptions {
  /** How long one answer (or failure) of the store counts, so probes do not hammer it. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Whether the shared state store answers: one cheap `SELECT 1`, cached for a couple of
 * seconds, plus the failures the rate limits meet on their own queries. A failure marks
 * the store down at once; only a probe that answers marks it up again, so a query that
 * was already under way when the store went down cannot flip it back. Each change is
 * logged once: a warning when the store goes down, an info line when it answers again.
 */
export class StateStoreHealth {
  readonly #db: StateStoreClient | undefined;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** Unknown until the first probe or query. */
  #available: boolean | undefined;
  #downSince = 0;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<StateStoreState> | undefined;

  constructor(
    db: StateStoreClient | undefined,
    logger: Logger,
    options: StateStoreHealthOptions = {},
  ) {
    this.#db = db;
    this.#logger = logger;
    this.#ttlMs = options.ttlMs ?? 2_000;
    this.#now = options.now ?? Date.now;
  }

  /** The last known state, without asking the store. */
  get state(): StateStoreState {
    if (this.#db === undefined) return 'not configured';
    return this.#available === false ? 'unavailable' : 'ok';
  }

  /** The state after at most one probe per ttl; concurrent callers share one probe. */
  async check(): Promise<StateStoreState> {
    if (this.#db === undefined) return 'not configured';
    if (this.#now() - this.#checkedAt < this.#ttlMs) return this.state;
    this.#inFlight ??= this.#probe(this.#db).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /**
   * Whether to send a query to the store now. While it is down this is false and a probe
   * starts in the background (at most one per ttl), so the store is used again as soon as
   * it answers, whether or not anything polls `/readyz`.
   */
  useStore(): boolean {
    if (this.#db === undefined) return false;
    if (this.#available !== false) return true;
    void this.check();
    return false;
  }

  /** A query to the store failed (error or timeout): it counts as down until a probe answers. */
  reportFailure(error: unknown): void {
    this.#checkedAt = this.#now();
    this.#markDown(error);
  }

  async #probe(db: StateStoreClient): Promise<StateStoreState> {
    try {
      await db.query('SELECT 1');
      this.#markUp();
    } catch (error) {
      this.#markDown(error);
    }
    this.#checkedAt = this.#now();
    return this.state;
  }

  #markUp(): void {
    if (this.#available === false) {
      this.#logger.info(
        { stateStore: 'ok', rateLimits: 'shared', downForMs: this.#now() - this.#downSince },
        'state store answers again; rate limits count in the shared store again',
      );
    }
    this.#available = true;
  }

  #markDown(error: unknown): void {
    if (this.#available === false) return;
    this.#available = false;
    this.#downSince = this.#now();
    this.#logger.warn(
      {
        stateStore: 'unavailable',
        rateLimits: 'per-process fallback',
        errorMessage: error instanceof Error ? error.message : String(error),
        errorCode: errorCodeOf(error),
      },
      'state store unavailable; rate limits count per process until it answers',
    );
  }
}

/** `ECONNREFUSED`, or a PostgreSQL SQLSTATE such as `57P01`. */
function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
