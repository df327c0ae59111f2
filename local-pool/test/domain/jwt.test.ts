import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeyStore } from '@authstack/local-pool/domain/keys';
import { signJwt, verifyJwt } from '@authstack/local-pool/domain/jwt';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('signJwt / verifyJwt', () => {
  let dataDir: string;
  let keys: KeyStore;
  const now = 1_800_000_000;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-pool-keys-'));
    keys = KeyStore.open(dataDir);
  });

  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('round-trips claims and reports which key (token use) signed them', () => {
    const token = signJwt({ sub: 'u', exp: now + 60 }, keys.signingKey('access'));
    expect(verifyJwt(token, keys, now)).toEqual({
      ok: true,
      claims: { sub: 'u', exp: now + 60 },
      use: 'access',
    });
    expect(verifyJwt(signJwt({ exp: now + 60 }, keys.signingKey('id')), keys, now)).toMatchObject({
      use: 'id',
    });
  });

  it('writes the header Cognito writes: kid and RS256 only', () => {
    const token = signJwt({ exp: now + 60 }, keys.signingKey('id'));
    const header = JSON.parse(
      Buffer.from(token.split('.')[0] ?? '', 'base64url').toString(),
    ) as unknown;
    expect(header).toEqual({ kid: keys.signingKey('id').kid, alg: 'RS256' });
  });

  it('refuses expiry at or before now, and a missing or non-numeric exp', () => {
    const sign = (claims: Record<string, unknown>) => signJwt(claims, keys.signingKey('access'));
    expect(verifyJwt(sign({ exp: now }), keys, now)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyJwt(sign({}), keys, now)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyJwt(sign({ exp: String(now + 60) }), keys, now)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses any alg but RS256, a missing kid, and a kid it does not hold', () => {
    const [, payload, signature] = signJwt({ exp: now + 60 }, keys.signingKey('id')).split('.');
    const kid = keys.signingKey('id').kid;
    for (const header of [
      { alg: 'none', kid },
      { alg: 'RS384', kid },
      { alg: 'HS256', kid },
      { alg: 'RS256' },
    ]) {
      expect(verifyJwt(`${encode(header)}.${payload}.${signature}`, keys, now)).toEqual({
        ok: false,
        reason: 'malformed',
      });
    }
    expect(
      verifyJwt(`${encode({ alg: 'RS256', kid: 'other' })}.${payload}.${signature}`, keys, now),
    ).toEqual({
      ok: false,
      reason: 'signature',
    });
  });

  it("refuses a signature made by the other token type's key under this kid", () => {
    const forged = signJwt(
      { exp: now + 60 },
      { ...keys.signingKey('access'), kid: keys.signingKey('id').kid },
    );
    expect(verifyJwt(forged, keys, now)).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses malformed input without throwing', () => {
    for (const token of [
      '',
      'a',
      'a.b',
      'a.b.c.d',
      '!!!.###.$$$',
      `${encode([1])}.${encode({})}.x`,
    ]) {
      expect(verifyJwt(token, keys, now).ok).toBe(false);
    }
  });

  it('keeps the same keys across opens of the same data directory', () => {
    expect(KeyStore.open(dataDir).jwks()).toEqual(keys.jwks());
    expect(keys.signingKey('id').kid).not.toBe(keys.signingKey('access').kid);
  });
});
