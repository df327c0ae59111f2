import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestUserPool, startLocalPool, type LocalPool } from '@authstack/local-pool/testing';

/** The keys a pool publishes, through a user pool of its own. */
async function jwksOf(pool: LocalPool): Promise<unknown> {
  const { jwksUrl } = await createTestUserPool(pool);
  return (await fetch(jwksUrl)).json();
}

describe('signing keys of the pools tests start', () => {
  const started: LocalPool[] = [];
  let ownDir: string;
  beforeAll(async () => {
    ownDir = mkdtempSync(join(tmpdir(), 'local-pool-own-keys-'));
    started.push(
      ...(await Promise.all([
        startLocalPool(),
        startLocalPool(),
        startLocalPool({ dataDir: ownDir }),
      ])),
    );
  });
  afterAll(async () => {
    await Promise.all(started.map((pool) => pool.stop()));
    rmSync(ownDir, { recursive: true, force: true });
  });

  it('pools on data directories the harness makes share one pair, kept in 0600 files', async () => {
    const [first, second] = started as [LocalPool, LocalPool];
    const files = [first, second].map((pool) => join(pool.dataDir, 'signing-keys.json'));
    expect(readFileSync(files[0] as string, 'utf8')).toBe(readFileSync(files[1] as string, 'utf8'));
    for (const file of files) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await jwksOf(first)).toEqual(await jwksOf(second));
  });

  it('a pool on a data directory of the test’s own makes its own pair', async () => {
    const [first, , own] = started as [LocalPool, LocalPool, LocalPool];
    const [shared, made] = [await jwksOf(first), await jwksOf(own)] as {
      keys: { kid: string }[];
    }[];
    expect(made?.keys).toHaveLength(2);
    expect(made?.keys.map((key) => key.kid)).not.toEqual(shared?.keys.map((key) => key.kid));
  });
});
