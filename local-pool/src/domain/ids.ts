import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** `us-east-1_AbC123xYz`: Cognito's pool id format (region, underscore, 9 alphanumerics). */
export const newPoolId = (region: string): string => `${region}_${randomString(ALPHANUMERIC, 9)}`;

/** 26 lowercase alphanumerics, like a Cognito app client id. */
export const newClientId = (): string => randomString(LOWER_ALPHANUMERIC, 26);

/** 51 lowercase alphanumerics, like a Cognito app client secret. */
export const newClientSecret = (): string => randomString(LOWER_ALPHANUMERIC, 51);

export const newSub = (): string => randomUUID();

/** A six-digit confirmation code. */
export const newCode = (): string => String(randomInt(1_000_000)).padStart(6, '0');

/** An opaque, unguessable token (refresh tokens, challenge sessions). */
export const newOpaqueToken = (bytes = 48): string => randomBytes(bytes).toString('base64url');

/** A temporary password that satisfies any policy Cognito allows (upper, lower, digit, symbol). */
export function newTemporaryPassword(minimumLength: number): string {
  const core = randomString(ALPHANUMERIC, Math.max(minimumLength, 12) - 4);
  return `${core}Aa1!`;
}
