import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as Cognito uses it: HMAC-SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps of clock drift accepted either way (Cognito: one 30-second window early or late). */
export const TOTP_DRIFT_STEPS = 1;

/** A new shared secret: 32 random bytes, base32 without padding (52 characters). */
export function newTotpSecret(): string {
  return new Secret({ buffer: Uint8Array.from(randomBytes(32)).buffer }).base32;
}

/** The time step (RFC 6238's T) that `nowMs` falls in. */
export const totpStep = (nowMs: number): number => Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);

export type TotpCheck =
  | { ok: true; step: number }
  | { ok: false; reason: 'mismatch' }
  | { ok: false; reason: 'reused'; step: number };

/**
 * Checks `code` against `secret` at `nowMs`, allowing one step of drift either way.
 * A code whose step is not after `lastUsedStep` was (or could have been) used already
 * and is refused, as RFC 6238 §5.2 requires; the caller stores the returned `step` as
 * the new `lastUsedStep` when it accepts the code.
 */
export function checkTotp(
  secret: string,
  code: string,
  nowMs: number,
  lastUsedStep: number | null,
): TotpCheck {
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'mismatch' };
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: nowMs,
    window: TOTP_DRIFT_STEPS,
  });
  if (delta === null) return { ok: false, reason: 'mismatch' };
  const step = totpStep(nowMs) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return { ok: false, reason: 'reused', step };
  return { ok: true, step };
}
