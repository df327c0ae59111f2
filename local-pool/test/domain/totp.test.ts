import { checkTotp, newTotpSecret, totpStep } from '@authstack/local-pool/domain/totp';
import { base32Bytes, STEP_MS, totpCode as codeAt } from '../../src/testing/totp-codes';

// The pool checks codes with otpauth; these tests make them with otplib, so each library
// is checked against the other (and both against RFC 6238's own test vectors).

/** RFC 6238 appendix B: the ASCII secret "12345678901234567890", SHA-1, last six digits. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('checkTotp', () => {
  it.each([
    [59_000, '287082'],
    [1_111_111_109_000, '081804'],
    [1_234_567_890_000, '005924'],
    [2_000_000_000_000, '279037'],
  ])('accepts the RFC 6238 test vector at %i ms', (ms, code) => {
    expect(codeAt(RFC_SECRET, ms)).toBe(code);
    expect(checkTotp(RFC_SECRET, code, ms, null)).toEqual({ ok: true, step: totpStep(ms) });
  });

  it('accepts a code one step early or late and refuses two steps either way', () => {
    const secret = newTotpSecret();
    const now = Date.UTC(2026, 0, 1, 12, 0, 10);
    const step = totpStep(now);
    for (const drift of [-1, 0, 1]) {
      expect(checkTotp(secret, codeAt(secret, now + drift * STEP_MS), now, null)).toEqual({
        ok: true,
        step: step + drift,
      });
    }
    for (const drift of [-2, 2]) {
      expect(checkTotp(secret, codeAt(secret, now + drift * STEP_MS), now, null)).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    }
  });

  it('refuses a code of a step already used, or of an earlier one, and takes the next step', () => {
    const secret = newTotpSecret();
    const now = Date.UTC(2026, 0, 1, 12, 0, 10);
    const first = checkTotp(secret, codeAt(secret, now), now, null);
    if (!first.ok) throw new Error('the current code was refused');
    expect(checkTotp(secret, codeAt(secret, now), now + 5_000, first.step)).toEqual({
      ok: false,
      reason: 'reused',
      step: first.step,
    });
    expect(checkTotp(secret, codeAt(secret, now - STEP_MS), now, first.step)).toMatchObject({
      ok: false,
      reason: 'reused',
    });
    expect(checkTotp(secret, codeAt(secret, now + STEP_MS), now, first.step)).toEqual({
      ok: true,
      step: first.step + 1,
    });
  });

  it('refuses codes that are not six digits and codes of another secret', () => {
    const secret = newTotpSecret();
    const now = Date.now();
    const code = codeAt(secret, now);
    for (const bad of ['', code.slice(1), `${code}0`, 'abcdef', ` ${code.slice(1)}`]) {
      expect(checkTotp(secret, bad, now, null)).toEqual({ ok: false, reason: 'mismatch' });
    }
    const other = newTotpSecret();
    const otherCode = codeAt(other, now);
    if (otherCode !== code) {
      expect(checkTotp(secret, otherCode, now, null)).toMatchObject({ ok: false });
    }
  });
});

describe('newTotpSecret', () => {
  it('makes 32-byte secrets in unpadded base32, different every time', () => {
    const secrets = new Set(Array.from({ length: 20 }, () => newTotpSecret()));
    expect(secrets.size).toBe(20);
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Z2-7]{52}$/);
      expect(base32Bytes(secret)).toHaveLength(32);
    }
  });
});
