import { PasswordHasher } from '@authstack/local-pool/domain/passwords';
import { parseConfig } from '@authstack/shared';
import { configSchema, readConfig } from '@authstack/local-pool/config';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(10);

  it('stores scrypt with its parameters and a random salt, never the password', async () => {
    const first = await hasher.hash('Corr3ct-Horse!');
    const second = await hasher.hash('Corr3ct-Horse!');
    expect(first).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('Corr3ct');
  });

  it('hashes at N=2^15 unless told otherwise', async () => {
    expect(await new PasswordHasher().hash('x')).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(readConfig({}).passwordHashCost).toBe(15);
  });

  it('accepts the password and refuses anything else', async () => {
    const stored = await hasher.hash('Corr3ct-Horse!');
    await expect(hasher.verify('Corr3ct-Horse!', stored)).resolves.toBe(true);
    await expect(hasher.verify('corr3ct-Horse!', stored)).resolves.toBe(false);
    await expect(hasher.verify('', stored)).resolves.toBe(false);
  });

  it('verifies a hash made at another cost by the parameters stored with it', async () => {
    const stored = await new PasswordHasher(11).hash('Corr3ct-Horse!');
    await expect(hasher.verify('Corr3ct-Horse!', stored)).resolves.toBe(true);
    await expect(hasher.verify('Wrong-Horse!', stored)).resolves.toBe(false);
  });

  it('refuses when there is no stored hash (and still does the work)', async () => {
    await expect(hasher.verify('anything', null)).resolves.toBe(false);
  });

  it('refuses a stored value that is not one of its hashes', async () => {
    await expect(hasher.verify('x', 'plaintext')).resolves.toBe(false);
  });

  it('refuses a cost outside 10–17, and so does the setting', () => {
    for (const cost of [9, 18, 12.5]) expect(() => new PasswordHasher(cost)).toThrow(RangeError);
    expect(() => parseConfig(configSchema, { LOCAL_POOL_PASSWORD_HASH_COST: '9' })).toThrow(
      /LOCAL_POOL_PASSWORD_HASH_COST/,
    );
    expect(readConfig({ LOCAL_POOL_PASSWORD_HASH_COST: '12' }).passwordHashCost).toBe(12);
  });
});
