import {
  DEMO_LEGACY_USERS,
  freshLegacyDatabase,
  LEGACY_DB,
  type FreshLegacyDatabase,
} from '../../src/testing';
import { queryRows, sharedServerPort } from '@authstack/shared/testing';

const emailsIn = (url: string) =>
  queryRows<{ email: string }>(url, `SELECT email FROM ${LEGACY_DB.table} ORDER BY email`).then(
    (rows) => rows.map((row) => row.email),
  );

describe('freshLegacyDatabase (on the run’s shared legacy server)', () => {
  let first: FreshLegacyDatabase;
  let second: FreshLegacyDatabase;

  beforeAll(async () => {
    [first, second] = await Promise.all([freshLegacyDatabase(), freshLegacyDatabase()]);
  });

  it('gives each caller a database of its own on the one server', () => {
    expect(first.port).toBe(sharedServerPort('legacy'));
    expect(second.port).toBe(first.port);
    expect(new URL(first.url).pathname).not.toBe(new URL(second.url).pathname);
  });

  it('seeds the demo users, readable by the trigger’s read-only role', async () => {
    expect((await emailsIn(first.url)).sort()).toEqual(
      DEMO_LEGACY_USERS.map((user) => user.email).sort(),
    );
    await expect(queryRows(first.url, `DELETE FROM ${LEGACY_DB.table}`)).rejects.toThrow(
      /permission denied/,
    );
  });

  it('keeps one database’s changes out of the other', async () => {
    await queryRows(first.adminUrl, `DELETE FROM ${LEGACY_DB.table}`);
    expect(await emailsIn(first.url)).toEqual([]);
    expect(await emailsIn(second.url)).toHaveLength(DEMO_LEGACY_USERS.length);
  });
});
