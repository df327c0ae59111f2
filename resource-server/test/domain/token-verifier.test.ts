import { JwtVerifierBase } from 'aws-jwt-verify/jwt-verifier';
import { TokenVerifier, type TokenVerifierOptions } from '../../src/domain/token-verifier';
import { TestClock } from '../support/test-app';
import { inMemoryJwks, verifierOptions } from '../support/verifier-options';
import { createTestKey, idTokenClaims, signedToken, type TestKey } from '../support/tokens';

const issuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Unit1';
let key: TestKey;

beforeAll(() => {
  key = createTestKey();
});

afterEach(() => {
  jest.restoreAllMocks();
});

function verifierWith(overrides: Partial<TokenVerifierOptions> = {}) {
  const clock = new TestClock();
  const verifier = new TokenVerifier(
    verifierOptions(
      { issuer, clientIds: ['c1'], source: inMemoryJwks(key) },
      { now: clock.now, ...overrides },
    ),
  );
  return { verifier, clock };
}

const token = (overrides: Record<string, unknown> = {}) =>
  signedToken(key, idTokenClaims({ issuer, clientId: 'c1' }, overrides));

describe('TokenVerifier', () => {
  it('verifies a signature once; repeats are answered from the cache', async () => {
    const { verifier } = verifierWith();
    await verifier.load();
    const signatureChecks = jest.spyOn(JwtVerifierBase.prototype, 'verifySync');
    const jwt = token();
    expect(verifier.cached(jwt)).toBeUndefined();
    const identity = await verifier.verify(jwt);
    for (let i = 0; i < 50; i += 1) expect(verifier.cached(jwt)).toBe(identity);
    expect(signatureChecks).toHaveBeenCalledTimes(1);
  });

  it('verifies every time with the cache off', async () => {
    const { verifier } = verifierWith({ tokenCacheMax: 0 });
    await verifier.load();
    const signatureChecks = jest.spyOn(JwtVerifierBase.prototype, 'verifySync');
    const jwt = token();
    for (let i = 0; i < 3; i += 1) {
      expect(verifier.cached(jwt)).toBeUndefined();
      await verifier.verify(jwt);
    }
    expect(signatureChecks).toHaveBeenCalledTimes(3);
  });

  it('does not serve a cached token past its own expiry', async () => {
    const { verifier, clock } = verifierWith();
    await verifier.load();
    const jwt = token({ exp: Math.floor(Date.now() / 1000) + 20 });
    await verifier.verify(jwt);
    expect(verifier.cached(jwt)).toBeDefined();
    clock.advance(21);
    expect(verifier.cached(jwt)).toBeUndefined();
  });

  it('refuses a foreign iss before any key lookup or signature check', async () => {
    // aws-jwt-verify caches a key object per unverified `iss`; checking it first keeps that bounded.
    const { verifier } = verifierWith();
    await verifier.load();
    const signatureChecks = jest.spyOn(JwtVerifierBase.prototype, 'verifySync');
    for (let i = 0; i < 20; i += 1) {
      await expect(
        verifier.verify(token({ iss: `https://attacker.example/${i}` })),
      ).rejects.toMatchObject({ reason: 'wrong_issuer' });
    }
    expect(signatureChecks).not.toHaveBeenCalled();
  });

  it('does not cache a refused token', async () => {
    const { verifier } = verifierWith();
    await verifier.load();
    const jwt = token({ aud: 'other-client' });
    await expect(verifier.verify(jwt)).rejects.toMatchObject({ reason: 'wrong_audience' });
    expect(verifier.cached(jwt)).toBeUndefined();
  });

  it('is not ready until its keys are loaded', async () => {
    const { verifier } = verifierWith();
    expect(verifier.ready).toBe(false);
    await verifier.load();
    expect(verifier.ready).toBe(true);
  });

  it('fails to load when the JWKS cannot be fetched', async () => {
    const { verifier } = verifierWith({
      source: {
        url: 'https://example.invalid/jwks.json',
        fetchJwks: () => Promise.reject(new Error('down')),
      },
    });
    await expect(verifier.load()).rejects.toThrow('down');
    expect(verifier.ready).toBe(false);
  });
});
