import { unverifiedClaims } from '../../src/domain/token-claims';

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: unknown) => `${segment({ alg: 'RS256', kid: 'k' })}.${segment(payload)}.c2ln`;

describe('unverifiedClaims', () => {
  it('reads sub, iat, client_id and origin_jti of an access token', () => {
    const token = jwt({ sub: 'user-1', iat: 1_700_000_000, client_id: 'app', origin_jti: 'o-1' });
    expect(unverifiedClaims(token)).toEqual({
      sub: 'user-1',
      issuedAt: 1_700_000_000,
      clientId: 'app',
      originJti: 'o-1',
    });
  });

  it('reads an ID token, which has no client_id', () => {
    expect(unverifiedClaims(jwt({ sub: 'user-1', iat: 5, aud: 'app' }))).toEqual({
      sub: 'user-1',
      issuedAt: 5,
      clientId: undefined,
      originJti: undefined,
    });
  });

  it.each([
    ['not a JWT', 'abc'],
    ['a payload that is not JSON', `${segment({})}.bm90IGpzb24.c2ln`],
    ['no sub', jwt({ iat: 5 })],
    ['an iat that is not a number', jwt({ sub: 'x', iat: '5' })],
    ['a client_id that is not a string', jwt({ sub: 'x', iat: 5, client_id: 7 })],
    ['a JSON array', jwt([1, 2])],
  ])('answers undefined for %s', (_case, token) => {
    expect(unverifiedClaims(token)).toBeUndefined();
  });
});
