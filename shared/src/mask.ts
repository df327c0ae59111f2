import { createHash } from 'node:crypto';

/** `"a1b2c3d4e5f6"`: the first 12 hex digits of SHA-256 of the lower-cased identifier. */
export function maskIdentifier(identifier: string): string {
  return createHash('sha256').update(identifier.trim().toLowerCase()).digest('hex').slice(0, 12);
}
