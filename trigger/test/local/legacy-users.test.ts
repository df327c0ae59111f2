import { verifyPasswordHash } from '../../src/domain/password-hash';
import { DEMO_LEGACY_USERS, legacyHash, storedHash } from '../../src/local/legacy-users';

/** The prefix each kind of legacy hash is stored with. */
const PREFIX = {
  bcrypt: '$2b$10$',
  'bcrypt-2y': '$2y$10$',
  argon2id: '$argon2id$v=19$m=19456,t=2,p=1$',
  'md5-crypt': '$1$',
} as const;

describe('the demo legacy users', () => {
  it.each(DEMO_LEGACY_USERS.map((user) => [user.email, user] as const))(
    '%s: the fixed hash is of its kind and holds its password, as the trigger verifies it',
    async (_email, user) => {
      const stored = await storedHash(user);
      expect(stored).toBe(user.passwordHash);
      expect(stored.startsWith(PREFIX[user.hash])).toBe(true);
      const typed = await verifyPasswordHash(user.password, stored);
      const wrong = await verifyPasswordHash(`${user.password}x`, stored);
      if (user.hash === 'md5-crypt') {
        // A scheme the trigger does not support: such users are refused, whatever they type.
        expect([typed.status, wrong.status]).toEqual(['unsupported', 'unsupported']);
      } else {
        expect([typed.status, wrong.status]).toEqual(['match', 'mismatch']);
      }
    },
  );

  it('a user without a fixed hash gets one made from the password, salted anew each time', async () => {
    const user = {
      email: 'new@example.com',
      password: 'New-Passw0rd!',
      name: 'New',
      hash: 'bcrypt' as const,
    };
    const [first, second] = [await storedHash(user), await storedHash(user)];
    expect(first).not.toBe(second);
    for (const stored of [first, second]) {
      expect(stored.startsWith(PREFIX.bcrypt)).toBe(true);
      expect((await verifyPasswordHash(user.password, stored)).status).toBe('match');
    }
    expect((await legacyHash(user.password, 'argon2id')).startsWith(PREFIX.argon2id)).toBe(true);
  });
});
