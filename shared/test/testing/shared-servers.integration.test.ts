import { LOCAL_STATE_DB } from '../../src/state-store/settings';
import {
  freshStateDatabase,
  queryRows,
  sharedServerPort,
  withoutSharedServer,
} from '../../src/testing';

const tablesOf = (url: string) =>
  queryRows<{ tablename: string }>(
    url,
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  ).then((rows) => rows.map((row) => row.tablename));

describe('freshStateDatabase', () => {
  it('runs under the global setup, which names the shared state-store server', () => {
    expect(sharedServerPort('state')).toEqual(expect.any(Number));
  });

  it('gives each caller a database of its own on the shared server, owned by the servers’ role', async () => {
    const [first, second] = await Promise.all([freshStateDatabase(), freshStateDatabase()]);
    expect(first.port).toBe(sharedServerPort('state'));
    expect(second.port).toBe(first.port);
    expect(new URL(first.url).pathname).not.toBe(new URL(second.url).pathname);
    expect(new URL(first.url).username).toBe(LOCAL_STATE_DB.app.user);
    expect(await tablesOf(first.url)).toEqual([]);

    await queryRows(first.url, 'CREATE TABLE only_here (id int)');
    expect(await tablesOf(first.url)).toEqual(['only_here']);
    expect(await tablesOf(second.url)).toEqual([]);
  });

  it('with migrate, gives a database with the whole schema, copied from the migrated one', async () => {
    const [plain, migrated] = await Promise.all([
      freshStateDatabase(),
      freshStateDatabase({ migrate: true }),
    ]);
    const tables = await tablesOf(migrated.url);
    expect(tables).toEqual(expect.arrayContaining(['pgmigrations', 'revocations', 'rate_limits']));
    expect(await tablesOf(plain.url)).toEqual([]);
    // The servers' role owns what it will alter.
    const owners = await queryRows<{ tableowner: string }>(
      migrated.url,
      "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(owners).toEqual([{ tableowner: LOCAL_STATE_DB.app.user }]);
  });

  it('outside such a run, starts a server of its own and stops it', async () => {
    const own = await withoutSharedServer('state', () => freshStateDatabase({ migrate: true }));
    try {
      expect(own.port).not.toBe(sharedServerPort('state'));
      expect(await tablesOf(own.url)).toContain('revocations');
    } finally {
      await own.stop();
    }
    await expect(tablesOf(own.url)).rejects.toThrow(/ECONNREFUSED/);
  });
});
