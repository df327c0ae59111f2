import { readCognitoClaims } from '../../src/domain/cognito-claims';
import { RevocationCheck } from '../../src/domain/revocation-check';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { TestRevocationCopy } from '../support/revocation-copy';
import { idTokenClaims } from '../support/tokens';

const pool = {
  issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc',
  clientId: 'c1',
};
const rules = {
  clientIds: new Set(['c1']),
  acceptedTokenUse: 'both' as const,
  clockSkewSeconds: 30,
};
const SUB = 'a1b2c3d4-0000-4000-8000-000000000001';

const identity = (claims: Record<string, unknown> = {}) =>
  readCognitoClaims(idTokenClaims(pool, claims) as JwtPayload, rules, Date.now() / 1000);

describe('RevocationCheck', () => {
  it('is off without a copy: never revoked, never refusing, identity untouched', () => {
    const check = RevocationCheck.off();
    const me = identity();
    expect(check.mode).toBe('off');
    expect(check.refusing).toBe(false);
    expect(check.isRevoked(me)).toBe(false);
    expect(check.current(me)).toBe(me);
    expect(check.report()).toEqual({
      state: 'off',
      stalenessMs: null,
      entries: 0,
      mode: 'off',
      maxStalenessMs: null,
    });
  });

  it('refuses in fail-closed mode only past the bound or before the first load', () => {
    const copy = new TestRevocationCopy();
    const check = new RevocationCheck({ copy, maxStalenessMs: 3000, failOpen: false });
    expect(check.mode).toBe('fail-closed');
    for (const [staleness, refusing] of [
      [0, false],
      [3000, false],
      [3001, true],
      [Infinity, true],
      [Number.NaN, true],
    ] as const) {
      copy.staleness = staleness;
      expect([staleness, check.refusing]).toEqual([staleness, refusing]);
    }
  });

  it('never refuses in fail-open mode', () => {
    const copy = new TestRevocationCopy();
    copy.staleness = Infinity;
    const check = new RevocationCheck({ copy, maxStalenessMs: 3000, failOpen: true });
    expect(check.mode).toBe('fail-open');
    expect(check.refusing).toBe(false);
  });

  it('returns the very same identity when no group was taken away, a frozen copy otherwise', () => {
    const copy = new TestRevocationCopy();
    const check = new RevocationCheck({ copy, maxStalenessMs: 3000, failOpen: false });
    const iat = Math.floor(Date.now() / 1000) - 10;
    const me = identity({ iat, 'cognito:groups': ['admin', 'editors'] });
    copy.revokeGroup(SUB, 'viewers', iat + 1);
    expect(check.current(me)).toBe(me);

    copy.revokeGroup(SUB, 'admin', iat + 1);
    const current = check.current(me);
    expect(current).toEqual({ ...me, groups: ['editors'] });
    expect(Object.isFrozen(current)).toBe(true);
    expect(Object.isFrozen(current.groups)).toBe(true);
    expect(me.groups).toEqual(['admin', 'editors']);
  });
});
