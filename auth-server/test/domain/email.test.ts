import { normalizeEmail } from '../../src/domain/email';

describe('normalizeEmail', () => {
  it('trims surrounding blanks and lower-cases', () => {
    expect(normalizeEmail('  Alice.Smith@Example.COM\t')).toBe('alice.smith@example.com');
  });

  it('leaves an already normal address unchanged', () => {
    expect(normalizeEmail('bob@example.com')).toBe('bob@example.com');
  });
});
