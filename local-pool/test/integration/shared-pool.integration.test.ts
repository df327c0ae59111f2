import { SHARED_SERVER_VARIABLES, withoutSharedServer } from '@authstack/shared/testing';
import {
  createTestUserPool,
  sharedLocalPool,
  signWithPoolKey,
  type SharedLocalPool,
} from '@authstack/local-pool/testing';

describe('sharedLocalPool (the run’s one local pool)', () => {
  let first: SharedLocalPool;
  let second: SharedLocalPool;
  beforeAll(async () => {
    [first, second] = await Promise.all([sharedLocalPool(), sharedLocalPool()]);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('is the pool the global setup started, the same for every caller', () => {
    const named = JSON.parse(process.env[SHARED_SERVER_VARIABLES.localPool] ?? '{}') as {
      endpoint?: string;
    };
    expect(named.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.endpoint).toBe(named.endpoint);
    expect(second.endpoint).toBe(first.endpoint);
  });

  it('holds user pools of each caller’s own, signing with the keys in its data directory', async () => {
    const [mine, theirs] = await Promise.all([
      createTestUserPool(first),
      createTestUserPool(second),
    ]);
    expect(mine.userPoolId).not.toBe(theirs.userPoolId);
    const jwks = (await (await fetch(mine.jwksUrl)).json()) as { keys: { kid: string }[] };
    const token = signWithPoolKey(first, 'access', { sub: 'someone' });
    const { kid } = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
      kid: string;
    };
    expect(jwks.keys.map((key) => key.kid)).toContain(kid);
  });

  it('stop() releases a caller’s client and leaves the pool running for the others', async () => {
    const third = await sharedLocalPool();
    await third.stop();
    expect((await fetch(`${first.endpoint}/health`)).status).toBe(200);
    await expect(createTestUserPool(second)).resolves.toHaveProperty('userPoolId');
  });

  it('outside such a run, starts a pool of its own and stops it', async () => {
    const own = await withoutSharedServer('localPool', () => sharedLocalPool());
    expect(own.endpoint).not.toBe(first.endpoint);
    expect((await fetch(`${own.endpoint}/health`)).status).toBe(200);
    await own.stop();
    await expect(fetch(`${own.endpoint}/health`)).rejects.toThrow();
  });
});
