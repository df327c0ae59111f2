import { hashPassword, verifyPassword } from '@authstack/local-pool/domain/passwords';

describe('hashPassword / verifyPassword', () => {
  it('stores scrypt with its parameters and a random salt, never the password', async () => {
    const first = await hashPassword('Corr3ct-Horse!');
    const second = await hashPassword('Corr3ct-Horse!');
    expect(first).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('Corr3ct');
  });

  it('accepts the password and refuses anything else', async () => {
    const stored = await hashPassword('Corr3ct-Horse!');
    await expect(verifyPassword('Corr3ct-Horse!', stored)).resolves.toBe(true);
    await expect(verifyPassword('corr3ct-Horse!', stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('refuses when there is no stored hash (and still does the work)', async () => {
    await expect(verifyPassword('anything', null)).resolves.toBe(false);
  });

  it('refuses a stored value that is not one of its hashes', async () => {
    await expect(verifyPassword('x', 'plaintext')).resolves.toBe(false);
  });
});
