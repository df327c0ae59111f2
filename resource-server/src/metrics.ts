import { Counter, createMetricsRegistry, Gauge, type Registry } from '@authstack/shared';
import type { RevocationCheck } from './domain/revocation-check';
import type { SigningKeysReport } from './domain/signing-keys';
import { REJECTION_REASONS, type RejectionReason } from './domain/token-errors';
import type { TokenVerifierObserver } from './domain/token-verifier';
import type { RejectionListener } from './middleware/require-auth';

/** What the gauges read at scrape time. */
export interface WatchedState {
  keys: () => SigningKeysReport;
  revocations: Pick<RevocationCheck, 'mode' | 'report'>;
}

/**
 * The resource-server's metrics, in one registry per instance: besides the HTTP metrics
 * (`useMetrics`), the verified-token cache, JWKS refreshes and the age of the keys,
 * refused tokens by reason, and how stale the revocation copy is. Labels are fixed sets of
 * words; never a token, a `sub` or an email.
 */
export class ResourceServerMetrics {
  readonly registry: Registry = createMetricsRegistry({ service: 'resource-server' });

  readonly #tokenCache = new Counter({
    name: 'token_cache_total',
    help: 'Lookups of the verified-token cache: a hit skips the signature check.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly #cacheHits = this.#tokenCache.labels('hit');
  readonly #cacheMisses = this.#tokenCache.labels('miss');

  readonly #jwksRefreshes = new Counter({
    name: 'jwks_refreshes_total',
    help: "Fetches of the user pool's JWKS, by outcome (ok: keys loaded; error: the old keys kept).",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly #rejections = new Counter({
    name: 'token_verification_failures_total',
    help: 'Bearer tokens refused with 401 invalid_token, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** Tells the verifier's cache lookups and JWKS fetches to the counters. */
  readonly verifierObserver: TokenVerifierObserver = {
    tokenCache: (result) => (result === 'hit' ? this.#cacheHits : this.#cacheMisses).inc(),
    jwksRefresh: (outcome) => this.#jwksRefreshes.inc({ outcome }),
  };

  /** Counts a refused token by its reason (for `createRequireAuth`). */
  readonly tokenRejected: RejectionListener = (reason: RejectionReason) => {
    this.#rejections.inc({ reason });
  };

  constructor() {
    // Every series from the start at 0, so a rate is defined before the first event.
    this.#cacheHits.inc(0);
    this.#cacheMisses.inc(0);
    for (const outcome of ['ok', 'error']) this.#jwksRefreshes.inc({ outcome }, 0);
    for (const reason of REJECTION_REASONS) this.#rejections.inc({ reason }, 0);
  }

  /**
   * Gauges read when scraped, so they cost nothing per request: `jwks_key_age_seconds` and,
   * with a state store, `revocation_staleness_seconds` (+Inf before the first full load).
   */
  watch({ keys, revocations }: WatchedState): void {
    new Gauge({
      name: 'jwks_key_age_seconds',
      help: 'Seconds since the signing keys were last fetched from the JWKS.',
      registers: [this.registry],
      collect() {
        const { ageSeconds } = keys();
        if (ageSeconds !== null) this.set(ageSeconds);
      },
    });
    if (revocations.mode === 'off') return;
    new Gauge({
      name: 'revocation_staleness_seconds',
      help: 'Seconds since the in-memory revocation copy was last proved complete.',
      registers: [this.registry],
      collect() {
        const { stalenessMs } = revocations.report();
        this.set(stalenessMs === null ? Infinity : stalenessMs / 1000);
      },
    });
  }
}
