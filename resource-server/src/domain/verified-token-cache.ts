import { LRUCache } from 'lru-cache';

export interface VerifiedTokenCacheOptions {
  /** Most entries kept; 0 turns the cache off. */
  max: number;
  /** Longest an entry lives; 0 turns the cache off. */
  ttlMs: number;
  now?: () => number;
}

/**
 * How many characters from the end of a token key its entry: the end of its RSA signature,
 * 190 bits that differ between any two tokens signed. Cheaper than hashing the whole token:
 * SHA-256 of a 1.1 KB token cost 3.6–4.4 µs under load, as much as the rest of a cached check.
 */
const KEY_CHARS = 32;

interface Entry<V> {
  token: string;
  value: V;
}

/**
 * Remembers tokens already verified, so a repeat costs a lookup and a comparison instead of
 * an RSA verification. An entry is keyed by the end of the token's signature and answers only
 * to the very token it was stored for (compared in full), so no collision of keys can ever let
 * another token through. Bounded in size (least recently used goes first) and in time: an
 * entry lives at most `ttlMs` and never past the expiry the caller gives for it.
 */
export class VerifiedTokenCache<V extends object> {
  readonly #lru: LRUCache<string, Entry<V>> | undefined;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: VerifiedTokenCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
    this.#lru =
      options.max > 0 && options.ttlMs > 0
        ? new LRUCache<string, Entry<V>>({
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
    const entry = this.#lru?.get(keyOf(token));
    return entry?.token === token ? entry.value : undefined;
  }

  /** Keeps `value` until `expiresAtMs` or the configured lifetime, whichever comes first. */
  set(token: string, value: V, expiresAtMs: number): void {
    if (!this.#lru) return;
    const ttl = Math.min(this.#ttlMs, Math.floor(expiresAtMs - this.#now()));
    if (ttl > 0) this.#lru.set(keyOf(token), { token, value }, { ttl });
  }
}

function keyOf(token: string): string {
  return token.slice(-KEY_CHARS);
}
