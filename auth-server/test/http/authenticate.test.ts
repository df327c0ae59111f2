import type { Request } from 'express';
import { bearerToken } from '../../src/http/authenticate';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
const request = (authorization?: string) => ({ headers: { authorization } }) as unknown as Request;

describe('bearerToken', () => {
  it('reads the token of "Authorization: Bearer <jwt>"', () => {
    expect(bearerToken(request(`Bearer ${JWT}`))).toBe(JWT);
  });

  it.each([
    ['no header', undefined],
    ['another scheme', `Basic ${JWT}`],
    ['a lower-case scheme', `bearer ${JWT}`],
    ['Bearer with nothing after it', 'Bearer '],
    ['not a JWT', 'Bearer abc'],
    ['two tokens', `Bearer ${JWT} ${JWT}`],
    ['a CR/LF in the header', `Bearer ${JWT}\r\nX-Evil: 1`],
    ['an oversized token', `Bearer ${JWT}${'a'.repeat(9000)}`],
  ])('refuses %s with 401 invalid_token', (_case, header) => {
    expect(() => bearerToken(request(header))).toThrow(
      expect.objectContaining({ status: 401, code: 'invalid_token' }),
    );
  });
});
