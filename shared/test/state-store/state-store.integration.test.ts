import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'pg';
import { createLogger } from '../../src';
import { createStatePool, RevocationFeed, RevocationStore } from '../../src/state-store';
import { LogCapture, startStateDatabase, type StateDatabase } from '../../src/testing';

/** Polls `check` until it holds or `ms` pass; returns whether it held. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(20)) {
    if (check()) return true;
  }
  return check();
}

describe('the state store (real embedded Postgres)', () => {
  let db: StateDatabase;
  let pool: Pool;
  let store: RevocationStore;
  const logs = new LogCapture();
  const logger = createLogger({ name: 'state-store-test', level: 'debug', destination: logs });

  beforeAll(async () => {
    db = await startStateDatabase();
    pool = createStatePool(db.url, { applicationName: 'test', logger });
    store = new RevocationStore({ pool, maxTokenLifetimeSeconds: 3600 });
  }, 90_000);

  afterAll(async () => {
    await pool.end();
    await db.stop();
  });

  it('creates the schema once when several instances migrate at the same time', async () => {
    // Three processes, as three server instances starting together would.
    const outputs = await Promise.all([1, 2, 3].map(() => db.migrate()));
    const applied = outputs.map(
      (output) =>
        (JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { applied?: string[] }).applied,
    );
    expect(applied.flat()).toEqual(['0001_revocations-and-rate-limits']);
    const { rows } = await pool.query<{ name: string }>('SELECT name FROM pgmigrations');
    expect(rows.map((row) => row.name)).toEqual(['0001_revocations-and-rate-limits']);
  });

  it('merges revocations of one user into one row with the latest notBefore', async () => {
    const before = Math.floor(Date.now() / 1000);
    const first = await store.revokeUser('merge-user');
    const second = await store.revokeUser('merge-user');
    expect(second).toBeGreaterThanOrEqual(first);
    expect(first).toBeGreaterThanOrEqual(before + 1);
    expect(second).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);
    const { rows } = await pool.query<{ not_before: string; expires_at: string }>(
      "SELECT not_before, expires_at FROM revocations WHERE kind = 'user' AND subject = 'merge-user'",
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]?.not_before)).toBe(second);
    expect(Number(rows[0]?.expires_at)).toBe(second + 3600 + 300);
    expect(await store.userNotBefore('merge-user')).toBe(second);
    expect(await store.userNotBefore('nobody')).toBeUndefined();
  });

  it('deletes expired revocations when pruning', async () => {
    const past = new RevocationStore({ pool, maxTokenLifetimeSeconds: 300, clock: () => 1_000 });
    await past.revokeSession('expired-session');
    expect(await store.prune()).toBeGreaterThanOrEqual(1);
    const { rowCount } = await pool.query(
      "SELECT 1 FROM revocations WHERE subject = 'expired-session'",
    );
    expect(rowCount).toBe(0);
  });

  it('reloads every live revocation, page after page', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    await pool.query(
      `INSERT INTO revocations (kind, subject, group_name, not_before, expires_at)
       SELECT 'user', 'bulk-' || n, '', 100, $1 FROM generate_series(1, 12001) AS n`,
      [expiresAt],
    );
    const feed = new RevocationFeed({ databaseUrl: db.url, logger, applicationName: 'bulk' });
    await feed.start();
    try {
      for (const n of [1, 5000, 5001, 10000, 12001]) {
        expect(feed.list.isRevoked({ sub: `bulk-${n}`, originJti: null, issuedAt: 99 })).toBe(true);
      }
      expect(feed.list.size).toBeGreaterThanOrEqual(12001);
    } finally {
      await feed.stop();
      await pool.query("DELETE FROM revocations WHERE subject LIKE 'bulk-%'");
    }
  });

  describe('RevocationFeed', () => {
    let feed: RevocationFeed;

    beforeAll(async () => {
      await store.revokeUser('before-start');
      feed = new RevocationFeed({
        databaseUrl: db.url,
        logger,
        applicationName: 'feed-test',
        heartbeatMs: 200,
        retryMs: 200,
      });
      await feed.start();
    });

    afterAll(() => feed.stop());

    const revoked = (sub: string, issuedAt = 0) =>
      feed.list.isRevoked({ sub, originJti: null, issuedAt });

    it('loads the revocations recorded before it started', () => {
      expect(revoked('before-start')).toBe(true);
      expect(feed.status()).toMatchObject({ state: 'live' });
    });

    it('hears a new revocation by NOTIFY, without a reload', async () => {
      await store.revokeUser('live-user');
      expect(await eventually(() => revoked('live-user'), 1_000)).toBe(true);
      await store.revokeGroup('live-user', 'admin');
      expect(
        await eventually(
          () =>
            feed.list.currentGroups({ sub: 'live-user', originJti: null, issuedAt: 0 }, ['admin'])
              .length === 0,
          1_000,
        ),
      ).toBe(true);
    });

    it('serves its last copy while the store is down, growing stale, and reloads once it is back', async () => {
      await db.crash();
      expect(await eventually(() => feed.status().state === 'disconnected', 5_000)).toBe(true);
      await sleep(600);
      expect(feed.stalenessMs()).toBeGreaterThanOrEqual(500);
      expect(revoked('live-user')).toBe(true);

      await db.start();
      expect(await eventually(() => feed.status().state === 'live', 5_000)).toBe(true);
      expect(feed.stalenessMs()).toBeLessThan(1_000);
      // A revocation written by another feed-less writer while this feed was reconnecting
      // is in the store; the full reload or NOTIFY brings it either way.
      await store.revokeUser('after-restart');
      expect(await eventually(() => revoked('after-restart'), 2_000)).toBe(true);
      expect(revoked('live-user')).toBe(true);
      expect(logs.records().map((line) => line.msg)).toEqual(
        expect.arrayContaining([
          'revocation feed lost the state store; serving from the last copy and reconnecting',
          'revocation feed reconnected; full reload done',
        ]),
      );
    }, 60_000);
  });
});
