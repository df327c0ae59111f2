import { isEmail, normalizeEmail, secretHash } from '../src';

describe('normalizeEmail', () => {
  it('trims surrounding blanks and lower-cases', () => {
    expect(normalizeEmail('  Alice.Smith@Example.COM\t')).toBe('alice.smith@example.com');
  });

  it('leaves an already normal address unchanged', () => {
    expect(normalizeEmail('bob@example.com')).toBe('bob@example.com');
  });
});

describe('secretHash', () => {
  it('is base64 HMAC-SHA256 of username + clientId keyed with the secret', () => {
    // echo -n userclient | openssl dgst -sha256 -hmac secret -binary | base64
    expect(secretHash('secret', 'user', 'client')).toBe(
      'wvW87lzZoI+qQCVGmWVBJLlucdJ65huAVP1z+0MgA6E=',
    );
  });

  it('differs per username', () => {
    expect(secretHash('secret', 'a@example.com', 'client')).not.toBe(
      secretHash('secret', 'b@example.com', 'client'),
    );
  });
});

describe('isEmail', () => {
  it('takes something, an @ and something, with no whitespace', () => {
    expect(isEmail('ada@example.com')).toBe(true);
    expect(isEmail('a@b')).toBe(true);
    for (const value of ['', 'ada', '@example.com', 'ada@', 'ada @example.com', 'a@b@c'])
      expect({ value, ok: isEmail(value) }).toEqual({ value, ok: false });
  });
});
