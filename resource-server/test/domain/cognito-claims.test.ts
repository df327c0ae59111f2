import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { readCognitoClaims as readClaims, type ClaimRules } from '../../src/domain/cognito-claims';
import { TokenRejectedError } from '../../src/domain/token-errors';
import { accessTokenClaims, idTokenClaims } from '../support/tokens';

const pool = {
  issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc',
  clientId: 'c1',
};
const rules: ClaimRules = {
  clientIds: new Set(['c1', 'c2']),
  acceptedTokenUse: 'both',
  clockSkewSeconds: 30,
};
const now = () => Date.now() / 1000;
const readCognitoClaims = (claims: Record<string, unknown>, given: ClaimRules, at: number) =>
  readClaims(claims as JwtPayload, given, at);

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof TokenRejectedError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('readCognitoClaims', () => {
  it('reads an ID token into an identity with profile attributes and no scopes', () => {
    const identity = readCognitoClaims(idTokenClaims(pool), rules, now());
    expect(identity).toMatchObject({
      tokenUse: 'id',
      username: 'alice',
      email: 'alice@example.com',
      name: 'Alice Example',
      groups: ['admin'],
      scopes: [],
      clientId: 'c1',
    });
    expect(Object.isFrozen(identity)).toBe(true);
    expect(Object.isFrozen(identity.groups)).toBe(true);
  });

  it.each([
    ['ID', idTokenClaims],
    ['access', accessTokenClaims],
  ])('reads iat and origin_jti of an %s token, for the revocation check', (_kind, claimsOf) => {
    const claims = claimsOf(pool, { iat: 1_700_000_000, origin_jti: 'origin-1' });
    expect(readCognitoClaims(claims, rules, now())).toMatchObject({
      issuedAt: 1_700_000_000,
      originJti: 'origin-1',
    });
    const noOrigin = readCognitoClaims(claimsOf(pool, { origin_jti: undefined }), rules, now());
    expect(noOrigin.originJti).toBeNull();
  });

  it('reads an access token with its scopes, client id, and null profile attributes', () => {
    const claims = accessTokenClaims(
      { ...pool, clientId: 'c2' },
      { scope: 'openid  aws.cognito.signin.user.admin', 'cognito:groups': undefined },
    );
    expect(readCognitoClaims(claims, rules, now())).toMatchObject({
      tokenUse: 'access',
      username: 'alice',
      email: null,
      name: null,
      groups: [],
      scopes: ['openid', 'aws.cognito.signin.user.admin'],
      clientId: 'c2',
    });
  });

  it.each([
    [
      'an ID token for another client',
      idTokenClaims({ ...pool, clientId: 'c3' }),
      'wrong_audience',
    ],
    [
      'an ID token whose client id is in client_id',
      idTokenClaims(pool, { aud: undefined, client_id: 'c1' }),
      'wrong_audience',
    ],
    [
      'an access token whose client id is in aud',
      accessTokenClaims(pool, { client_id: undefined, aud: 'c1' }),
      'wrong_audience',
    ],
    ['no token_use', idTokenClaims(pool, { token_use: undefined }), 'wrong_token_use'],
    [
      'iat in the future',
      idTokenClaims(pool, { iat: Math.floor(now()) + 120 }),
      'issued_in_future',
    ],
    ['no exp', idTokenClaims(pool, { exp: undefined }), 'invalid_claims'],
    ['no iat', accessTokenClaims(pool, { iat: undefined }), 'invalid_claims'],
    ['an iat that is not a number', idTokenClaims(pool, { iat: '1700000000' }), 'invalid_claims'],
    [
      'an origin_jti that is not a string',
      idTokenClaims(pool, { origin_jti: 7 }),
      'invalid_claims',
    ],
    [
      'groups not a list of strings',
      idTokenClaims(pool, { 'cognito:groups': [['admin']] }),
      'invalid_claims',
    ],
  ])('refuses %s', (_name, claims, reason) => {
    expect(reasonOf(() => readCognitoClaims(claims, rules, now()))).toBe(reason);
  });

  it('refuses the token use the configuration does not accept', () => {
    const idOnly = { ...rules, acceptedTokenUse: 'id' as const };
    expect(reasonOf(() => readCognitoClaims(accessTokenClaims(pool), idOnly, now()))).toBe(
      'wrong_token_use',
    );
  });

  it('ignores claims inherited from a polluted prototype', () => {
    const claims = Object.create({ 'cognito:groups': ['admin'], email: 'evil@example.com' });
    Object.assign(claims, idTokenClaims(pool, { 'cognito:groups': undefined, email: undefined }));
    const identity = readCognitoClaims(claims, rules, now());
    expect(identity.groups).toEqual([]);
    expect(identity.email).toBeNull();
  });
});
