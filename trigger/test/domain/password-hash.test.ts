import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { argon2i, argon2id } from 'hash-wasm';
import { hashSchemeOf, verifyPasswordHash } from '../../src/domain/password-hash';

const PASSWORD = 'Legacy-Passw0rd!';
const argonOptions = {
  salt: randomBytes(16),
  parallelism: 1,
  iterations: 2,
  memorySize: 1024,
  hashLength: 32,
  outputType: 'encoded',
} as const;

describe('verifyPasswordHash', () => {
  const bcrypt2b = bcrypt.hashSync(PASSWORD, 4);

  it.each([
    ['$2b$', bcrypt2b],
    ['$2a$', bcrypt2b.replace(/^\$2b\$/, '$2a$')],
    ['$2y$ (PHP)', bcrypt2b.replace(/^\$2b\$/, '$2y$')],
  ])('verifies bcrypt %s hashes', async (_kind, stored) => {
    await expect(verifyPasswordHash(PASSWORD, stored)).resolves.toEqual({
      status: 'match',
      kind: 'bcrypt',
    });
    await expect(verifyPasswordHash('Wrong-Passw0rd!', stored)).resolves.toEqual({
      status: 'mismatch',
      kind: 'bcrypt',
    });
  });

  it('verifies argon2id and argon2i PHC strings', async () => {
    for (const stored of [
      await argon2id({ password: PASSWORD, ...argonOptions }),
      await argon2i({ password: PASSWORD, ...argonOptions }),
    ]) {
      await expect(verifyPasswordHash(PASSWORD, stored)).resolves.toEqual({
        status: 'match',
        kind: 'argon2',
      });
      await expect(verifyPasswordHash(`${PASSWORD}x`, stored)).resolves.toEqual({
        status: 'mismatch',
        kind: 'argon2',
      });
    }
  });

  it.each([
    ['md5-crypt', '$1$saltsalt$abcdefghijklmnopqrstuv', '$1$'],
    ['sha512-crypt', '$6$rounds=5000$salt$hash', '$6$'],
    ['crypt_blowfish $2x$', bcrypt2b.replace(/^\$2b\$/, '$2x$'), '$2x$'],
    ['a truncated bcrypt hash', bcrypt2b.slice(0, 40), '$2b$'],
    ['a plaintext password', PASSWORD, 'unrecognised'],
    ['an empty value', '', 'unrecognised'],
    ['a malformed argon2 string', '$argon2id$v=19$garbage', 'argon2-malformed'],
  ])('calls %s unsupported, never a match', async (_case, stored, kind) => {
    await expect(verifyPasswordHash(PASSWORD, stored)).resolves.toEqual({
      status: 'unsupported',
      kind,
    });
  });

  describe("bcrypt's 72-byte limit", () => {
    const first72 = 'L'.repeat(60) + 'egacy-Pass0!'; // 72 ASCII bytes
    const typed = `${first72}-and-the-rest-the-user-always-typed`;
    const legacyHash = bcrypt.hashSync(first72, 4); // what a legacy bcrypt stored for `typed`

    it('migrates a person who types their whole long password, as the legacy system accepted it', async () => {
      expect(Buffer.byteLength(typed)).toBeGreaterThan(72);
      await expect(verifyPasswordHash(typed, legacyHash)).resolves.toMatchObject({
        status: 'match',
      });
    });

    it('still refuses a password that differs within the first 72 bytes', async () => {
      const different = `X${typed.slice(1)}`;
      await expect(verifyPasswordHash(different, legacyHash)).resolves.toMatchObject({
        status: 'mismatch',
      });
    });

    it('verifies long multi-byte passwords hashed by the legacy system', async () => {
      const unicode = `${'пароль-'.repeat(6)}🔑-Passw0rd`; // > 72 UTF-8 bytes
      const stored = bcrypt.hashSync(unicode, 4);
      await expect(verifyPasswordHash(unicode, stored)).resolves.toMatchObject({ status: 'match' });
    });
  });
});

describe('hashSchemeOf', () => {
  it('names the scheme from the prefix without revealing the hash', () => {
    expect(hashSchemeOf('$pbkdf2-sha256$29000$c2FsdA$aGFzaA')).toBe('$pbkdf2-sha256$');
    expect(hashSchemeOf('5f4dcc3b5aa765d61d8327deb882cf99')).toBe('unrecognised');
  });
});
