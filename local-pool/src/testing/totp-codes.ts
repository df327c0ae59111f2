/**
 * TOTP codes as an authenticator app computes them, for tests (here and in the
 * auth-server). Test-only: it needs the root devDependencies `@otplib/totp` and
 * `@otplib/plugin-crypto-node`, so it is imported by path and not re-exported from `./index`.
 */
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { generateSync } from '@otplib/totp';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 to bytes, written out here so that the pool's encoding is checked too. */
export function base32Bytes(text: string): Uint8Array {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text.replace(/=+$/, '')) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}

const crypto = new NodeCryptoPlugin();

export const STEP_MS = 30_000;

/**
 * The code an authenticator app shows for `secret` at `ms`, computed with otplib
 * (SHA-1, 6 digits, 30 s): the pool checks codes with a different library, otpauth.
 */
export function totpCode(secret: string, ms = Date.now()): string {
  return generateSync({ secret: base32Bytes(secret), epoch: Math.floor(ms / 1000), crypto });
}
