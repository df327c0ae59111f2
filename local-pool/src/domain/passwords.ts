import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt's cost, as log2(N), with r=8, p=1. 15 by default (N=2^15, 32 MiB; 60–200 ms a
 * hash depending on the machine's memory bandwidth): twice the cost of the scrypt paper's
 * interactive-login parameters, and on purpose below OWASP's server recommendation
 * (N=2^17), because this pool holds local users only. Test harnesses lower it
 * (`LOCAL_POOL_PASSWORD_HASH_COST`): each sign-in of the test suites pays it.
 */
export const DEFAULT_PASSWORD_HASH_COST = 15;
export const MIN_PASSWORD_HASH_COST = 10;
export const MAX_PASSWORD_HASH_COST = 17;
const BLOCK_SIZE = 8;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // scrypt runs on libuv's thread pool, so hashing never blocks the event loop.
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 128 * (options.N ?? 0) * (options.r ?? 0) * 2 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/**
 * Hashes passwords as `scrypt$N$r$p$<salt b64>$<key b64>`. The parameters are stored with
 * each hash, so a hash made at one cost still verifies after the cost changes.
 */
export class PasswordHasher {
  readonly #cost: ScryptOptions & { N: number; r: number; p: number };
  /** A hash made once, to spend the same time when there is no user to check. */
  #decoy: Promise<string> | undefined;

  constructor(cost: number = DEFAULT_PASSWORD_HASH_COST) {
    if (!Number.isInteger(cost) || cost < MIN_PASSWORD_HASH_COST || cost > MAX_PASSWORD_HASH_COST) {
      throw new RangeError(
        `password hash cost must be an integer from ${MIN_PASSWORD_HASH_COST} to ${MAX_PASSWORD_HASH_COST}`,
      );
    }
    this.#cost = { N: 2 ** cost, r: BLOCK_SIZE, p: 1 };
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, this.#cost);
    const { N, r, p } = this.#cost;
    return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  /**
   * True when `password` matches `stored`. With no stored hash it still spends one
   * scrypt at the current cost, so an unknown user answers as slowly as a wrong password.
   */
  async verify(password: string, stored: string | null): Promise<boolean> {
    const hash = stored ?? (await (this.#decoy ??= this.hash('decoy-password')));
    const [scheme, n, r, p, salt, key] = hash.split('$');
    if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
    const expected = Buffer.from(key, 'base64');
    const actual = await derive(password, Buffer.from(salt, 'base64'), {
      N: Number(n),
      r: Number(r),
      p: Number(p),
    });
    return (
      stored !== null && actual.length === expected.length && timingSafeEqual(actual, expected)
    );
  }
}
