import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export interface VerifiedTokenCacheOptions {
  /** Most entries kept; 0 turns the cache off. */
  max: number;
  /** Longest an entry lives; 0 turns the cache off. */
  ttlMs: number;
  now?: () => number;
}

/**
 * Remembers tokens already verified, keyed by the SHA-256 of the token (the token itself
 * is never kept), so a repeat costs a hash and a lookup instead of an RSA verification.
 * Bounded in size (least recently used goes first) and in time: an entry lives at most
 * `ttlMs` and never past the expiry the caller gives for it.
 */
export class VerifiedTokenCache<V extends object> {
  readonly #lru: LRUCache<string, V> | undefined;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: VerifiedTokenCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
    this.#lru =
      options.max > 0 && options.ttlMs > 0
        ? new LRUCache<string, V>({
            max: options.max,
            ttl: options.ttlMs,
            ttlResolution: 0,
            perf: { now: this.#now },
          })
        : undefined;
  }

  get enabled(): boolean {
    return this.#lru !== undefined;
  }

  get size(): number {
    return this.#lru?.size ?? 0;
  }

  get(token: string): V | undefined {
    return this.#lru?.get(hashToken(token));
  }

  /** Keeps `value` until `expiresAtMs` or the configured lifetime, whichever comes first. */
  set(token: string, value: V, expiresAtMs: number): void {
    if (!this.#lru) return;
    const ttl = Math.min(this.#ttlMs, Math.floor(expiresAtMs - this.#now()));
    if (ttl > 0) this.#lru.set(hashToken(token), value, { ttl });
  }
}

function hashToken(token: string): string {
  return hash('sha256', token, 'base64url');
}
