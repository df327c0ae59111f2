import { createHash } from 'node:crypto';
import { normalizeEmail } from './cognito';

/** `"a1b2c3d4e5f6"`: the first 12 hex digits of SHA-256 of the normalised identifier. */
export function maskIdentifier(identifier: string): string {
  return createHash('sha256').update(normalizeEmail(identifier)).digest('hex').slice(0, 12);
}
