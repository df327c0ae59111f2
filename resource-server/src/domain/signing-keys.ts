import type { Jwks } from 'aws-jwt-verify/jwk';
import type { Logger } from '@authstack/shared';
import { SigningKeysUnavailableError, TokenRejectedError } from './token-errors';

/** Where the user pool's JWKS comes from (the only place keys ever come from). */
export interface JwksSource {
  readonly url: string;
  fetchJwks(): Promise<Jwks>;
}

export interface SigningKeysOptions {
  source: JwksSource;
  /** Least time between two fetches of the JWKS, whatever asks for them. */
  refetchIntervalMs: number;
  /** How long a fetched JWKS is trusted before it must be refreshed; at least the interval. */
  maxAgeMs: number;
  /** How much longer cached keys keep verifying while refreshing fails. */
  staleIfErrorMs: number;
  /** Called with every JWKS fetched, to hand it to the signature verifier. */
  onKeys: (jwks: Jwks) => void;
  /** Told how each fetch of the JWKS ended (metrics). */
  onRefresh?: (outcome: JwksRefreshOutcome) => void;
  logger: Logger;
  now?: () => number;
}

const ignore = (): void => undefined;

/** How a fetch of the JWKS ended: keys loaded, or the old ones kept. */
export type JwksRefreshOutcome = 'ok' | 'error';

/** What `/readyz` shows of the keys: how old the key set is and whether the JWKS answered last time. */
export interface SigningKeysReport {
  /** Seconds since the JWKS was last fetched; null before the first fetch. */
  ageSeconds: number | null;
  /** `unreachable` once the last fetch failed (cached keys keep verifying for a while). */
  jwks: 'reachable' | 'unreachable';
}

/**
 * The key set of one user pool, kept fresh under three rules:
 * - an unknown `kid` causes at most one JWKS fetch per refetch interval, however many
 *   tokens carry unknown kids (concurrent callers share one fetch);
 * - a JWKS is trusted for `maxAgeMs`; the first request after that waits for a refresh,
 *   so a key removed from the pool stops verifying within `maxAgeMs`;
 * - when the JWKS cannot be fetched, cached keys keep verifying for `staleIfErrorMs`
 *   more (refreshed in the background, once per interval), and other kids fail closed.
 */
export class SigningKeys {
  readonly #options: SigningKeysOptions;
  readonly #now: () => number;
  #kids: ReadonlySet<string> = new Set();
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;
  #lastAttemptFailed = false;
  #inflight: Promise<void> | undefined;

  constructor(options: SigningKeysOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    if (options.refetchIntervalMs > options.maxAgeMs) {
      throw new Error('the JWKS refetch interval must not exceed its max age');
    }
  }

  /** Fetches the JWKS (e.g. before the server listens); rejects when that fails. */
  load(): Promise<void> {
    return this.#refresh();
  }

  /** True while a JWKS is loaded and young enough to trust (fresh, or stale after errors). */
  get ready(): boolean {
    return this.#age() < this.#options.maxAgeMs + this.#options.staleIfErrorMs;
  }

  report(): SigningKeysReport {
    const age = this.#age();
    return {
      ageSeconds: Number.isFinite(age) ? Math.round(age / 1000) : null,
      jwks: this.#lastAttemptFailed ? 'unreachable' : 'reachable',
    };
  }

  /**
   * True when `kid` may be used right now without waiting: it is in a fresh key set, or in
   * a stale one while the JWKS is unreachable (then a background refresh is started when due).
   */
  has(kid: string): boolean {
    if (!this.#kids.has(kid)) return false;
    if (this.#age() < this.#options.maxAgeMs) return true;
    if (!this.#lastAttemptFailed || !this.ready) return false;
    if (this.#mayFetch()) this.#refresh().catch(ignore);
    return true;
  }

  /**
   * Resolves once `kid` may be used, after at most one (rate-limited) fetch. Rejects with
   * `TokenRejectedError('unknown_key')` when the pool does not publish it, or with
   * `SigningKeysUnavailableError` when the JWKS could not be fetched to find out.
   */
  async require(kid: string): Promise<void> {
    if (this.has(kid)) return;
    if (this.#inflight) await this.#inflight.catch(ignore);
    else if (this.#mayFetch()) await this.#refresh().catch(ignore);
    if (this.has(kid)) return;
    if (!this.ready || this.#lastAttemptFailed) {
      throw new SigningKeysUnavailableError(this.#secondsUntilNextFetch());
    }
    throw new TokenRejectedError('unknown_key');
  }

  #age(): number {
    return this.#now() - this.#fetchedAt;
  }

  #mayFetch(): boolean {
    return (
      this.#inflight === undefined &&
      this.#now() - this.#lastAttemptAt >= this.#options.refetchIntervalMs
    );
  }

  #secondsUntilNextFetch(): number {
    const waitMs = this.#lastAttemptAt + this.#options.refetchIntervalMs - this.#now();
    return Math.max(1, Math.ceil(waitMs / 1000));
  }

  #refresh(): Promise<void> {
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetch(): Promise<void> {
    const { source, logger, onKeys } = this.#options;
    this.#lastAttemptAt = this.#now();
    try {
      const jwks = await source.fetchJwks();
      const kids = new Set(
        jwks.keys.flatMap((jwk) => (typeof jwk.kid === 'string' ? [jwk.kid] : [])),
      );
      if (kids.size === 0) throw new Error('the JWKS holds no key with a kid');
      onKeys(jwks);
      if (!sameKids(kids, this.#kids)) {
        logger.info({ jwksUrl: source.url, kids: [...kids] }, 'signing keys loaded');
      }
      this.#kids = kids;
      this.#fetchedAt = this.#now();
      this.#lastAttemptFailed = false;
      this.#options.onRefresh?.('ok');
    } catch (error) {
      this.#lastAttemptFailed = true;
      this.#options.onRefresh?.('error');
      logger.warn(
        { jwksUrl: source.url, err: error, cachedKeysUsable: this.ready },
        'fetching the JWKS failed',
      );
      throw error;
    }
  }
}

function sameKids(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((kid) => b.has(kid));
}
