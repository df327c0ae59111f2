import { parseUserFilter } from '@authstack/local-pool/domain/user-filter';
import { defaultPoolSettings } from '@authstack/local-pool/domain/pools';
import type { PoolRecord } from '@authstack/local-pool/domain/types';

const pool = (caseSensitive: boolean): PoolRecord => ({
  id: 'us-east-1_Abcdefghi',
  name: 'p',
  createdAt: 0,
  updatedAt: 0,
  settings: { ...defaultPoolSettings(), UsernameConfiguration: { CaseSensitive: caseSensitive } },
});

describe('parseUserFilter', () => {
  it('reads exact and prefix filters on attributes', () => {
    expect(parseUserFilter(pool(true), 'email = "a@example.com"')).toEqual({
      target: { attribute: 'email' },
      prefix: false,
      value: 'a@example.com',
      ignoreCase: false,
    });
    expect(parseUserFilter(pool(true), 'given_name ^= "Jo"')).toMatchObject({
      prefix: true,
      value: 'Jo',
    });
  });

  it('compares username and email case-insensitively when the pool is', () => {
    expect(parseUserFilter(pool(false), 'email = "A@Example.com"')?.ignoreCase).toBe(true);
    expect(parseUserFilter(pool(false), 'name = "Ann"')?.ignoreCase).toBe(false);
  });

  it('maps status to enabled and cognito:user_status to the user status', () => {
    expect(parseUserFilter(pool(true), 'status = "Disabled"')).toMatchObject({
      target: { column: 'enabled' },
      value: '0',
    });
    expect(parseUserFilter(pool(true), 'cognito:user_status = "CONFIRMED"')).toMatchObject({
      target: { column: 'status' },
      value: 'CONFIRMED',
    });
  });

  it('treats an empty filter as none and unescapes quotes', () => {
    expect(parseUserFilter(pool(true), '')).toBeUndefined();
    expect(parseUserFilter(pool(true), 'name = "a \\"b\\""')?.value).toBe('a "b"');
  });

  it.each([
    'email',
    'email = a',
    'custom:tier = "x"',
    'email != "a"',
    'status = "Maybe"',
    'email = "a" AND name = "b"',
  ])('refuses %j', (filter) => {
    expect(() => parseUserFilter(pool(true), filter)).toThrow('Error while parsing filter.');
  });
});
