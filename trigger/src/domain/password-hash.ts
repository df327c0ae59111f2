import bcrypt from 'bcryptjs';
import { argon2Verify } from 'hash-wasm';

export type HashVerification =
  | { status: 'match' | 'mismatch'; kind: 'bcrypt' | 'argon2' }
  | { status: 'unsupported'; kind: string };

/**
 * A bcrypt hash (cost 10) of a random value nobody knows. Verifying against it
 * costs the same as verifying a real legacy password, so an unknown user takes
 * as long to refuse as a wrong password.
 */
const DUMMY_BCRYPT_HASH = '$2b$10$2DPCjiHo8cJ3bI.ZJ0svbO2SWQmqGb7IsLofpS67LVPGcjX58UyZy';

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$argon2(id|i)\$/;

/** A short, log-safe name for the scheme of a stored hash, e.g. `$1$` or `$pbkdf2-sha256$`. */
export function hashSchemeOf(stored: string): string {
  const match = /^\$[A-Za-z0-9-]{1,24}\$/.exec(stored);
  return match ? match[0] : 'unrecognised';
}

/**
 * Checks `password` against a stored legacy hash, choosing the algorithm from the
 * hash's prefix: bcrypt (`$2a$`, `$2b$`, `$2y$`) and argon2id/argon2i (PHC strings).
 * Anything else, or a malformed hash, is `unsupported` (and still costs one dummy
 * bcrypt verification, so it is not faster than a wrong password).
 *
 * bcrypt only ever reads the first 72 bytes of the UTF-8 password. The legacy system
 * hashed with that rule, so a person who types their whole longer password must still
 * match: we verify exactly as the legacy system did (bcryptjs truncates the same way)
 * rather than refusing. After migration Cognito keeps the whole password, so the account
 * gets stricter, not weaker.
 */
export async function verifyPasswordHash(
  password: string,
  stored: string,
): Promise<HashVerification> {
  if (BCRYPT.test(stored)) {
    return {
      status: (await bcrypt.compare(password, stored)) ? 'match' : 'mismatch',
      kind: 'bcrypt',
    };
  }
  if (ARGON2.test(stored)) {
    try {
      const valid = await argon2Verify({ password, hash: stored });
      return { status: valid ? 'match' : 'mismatch', kind: 'argon2' };
    } catch {
      await spendDummyVerification(password);
      return { status: 'unsupported', kind: 'argon2-malformed' };
    }
  }
  await spendDummyVerification(password);
  return { status: 'unsupported', kind: hashSchemeOf(stored) };
}

/** Spends one bcrypt verification that never matches, to keep refusals evenly slow. */
export async function spendDummyVerification(password: string): Promise<void> {
  await bcrypt.compare(password, DUMMY_BCRYPT_HASH);
}
