import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, type Pool } from 'pg';
import { createLogger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { createLegacyPool } from '../../src/adapters/postgres-pool';
import { PostgresLegacyUserSource } from '../../src/adapters/postgres-legacy-user-source';
import {
  DEMO_LEGACY_USERS,
  freshLegacyDatabase,
  type FreshLegacyDatabase,
} from '../../src/testing';

const DEFAULT_TABLE = {
  table: 'legacy_users',
  emailColumn: 'email',
  passwordHashColumn: 'password_hash',
  nameColumn: 'name',
  emailVerifiedColumn: 'email_verified',
  disabledColumn: 'disabled',
  createdAtColumn: 'created_at',
};
const logger = createLogger({ name: 'pg-adapter-test', destination: new LogCapture() });

function demo(email: string) {
  const user = DEMO_LEGACY_USERS.find((candidate) => candidate.email === email);
  if (!user) throw new Error(`no demo user ${email}`);
  return user;
}

describe('PostgresLegacyUserSource against the embedded legacy Postgres', () => {
  let db: FreshLegacyDatabase;
  let pool: Pool;
  let users: PostgresLegacyUserSource;
  let admin: Client;

  beforeAll(async () => {
    db = await freshLegacyDatabase();
    pool = createLegacyPool(db.url, 2_000, logger);
    users = new PostgresLegacyUserSource(pool, DEFAULT_TABLE);
    admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await pool?.end();
    await db?.stop();
  });

  it.each([
    ['a bcrypt ($2b$) user', 'legacy@example.com', 'Legacy User'],
    ['an argon2id user', 'legacy.argon@example.com', 'Argon User'],
    ['the forgot-password demo user', 'legacy.reset@example.com', 'Reset User'],
    ['a PHP $2y$ user', 'legacy.php@example.com', 'PHP User'],
  ])('authenticates %s with the right password', async (_case, email, name) => {
    await expect(users.authenticate(email, demo(email).password)).resolves.toEqual({
      ok: true,
      profile: { email, name, emailVerified: true, disabled: false },
    });
  });

  it('refuses a wrong password and an unknown user', async () => {
    await expect(users.authenticate('legacy@example.com', 'Wrong-Passw0rd!')).resolves.toEqual({
      ok: false,
      reason: 'wrong_password',
    });
    await expect(users.authenticate('nobody@example.com', 'Legacy-Passw0rd!')).resolves.toEqual({
      ok: false,
      reason: 'unknown_user',
    });
  });

  it('finds a user stored with mixed case by the lower-cased address', async () => {
    await expect(
      users.authenticate('legacy.mixed@example.com', 'Legacy-Mixed-Passw0rd!'),
    ).resolves.toMatchObject({
      ok: true,
      profile: { email: 'Legacy.Mixed@Example.com', name: 'Mixed Case User' },
    });
  });

  it('reports the disabled and unverified flags as the legacy table holds them', async () => {
    await expect(users.lookup('legacy.disabled@example.com')).resolves.toMatchObject({
      disabled: true,
    });
    await expect(users.lookup('legacy.unverified@example.com')).resolves.toMatchObject({
      emailVerified: false,
      disabled: false,
    });
  });

  it('refuses a user whose hash scheme it cannot verify, naming the scheme', async () => {
    await expect(
      users.authenticate('legacy.md5@example.com', 'Legacy-Md5-Passw0rd!'),
    ).resolves.toEqual({
      ok: false,
      reason: 'unsupported_hash',
      hashKind: '$1$',
    });
  });

  it('treats SQL in the address as data', async () => {
    await expect(users.lookup("' OR '1'='1")).resolves.toBeUndefined();
    await expect(users.authenticate("legacy@example.com' --", 'x')).resolves.toMatchObject({
      reason: 'unknown_user',
    });
  });

  it('reads a legacy table with other names and without the optional columns', async () => {
    await admin.query(`
      CREATE SCHEMA IF NOT EXISTS crm;
      CREATE TABLE crm."Members" (mail text, pw text, full_name text);
      GRANT USAGE ON SCHEMA crm TO legacy_reader;
      GRANT SELECT ON crm."Members" TO legacy_reader;
    `);
    await admin.query('INSERT INTO crm."Members" VALUES ($1, $2, $3)', [
      'member@example.com',
      (
        await admin.query<{ h: string }>(
          'SELECT password_hash AS h FROM legacy_users WHERE email = $1',
          ['legacy@example.com'],
        )
      ).rows[0]?.h,
      'Crm Member',
    ]);
    const crm = new PostgresLegacyUserSource(pool, {
      table: 'crm.Members',
      emailColumn: 'mail',
      passwordHashColumn: 'pw',
      nameColumn: 'full_name',
    });
    await expect(crm.authenticate('member@example.com', 'Legacy-Passw0rd!')).resolves.toEqual({
      ok: true,
      profile: {
        email: 'member@example.com',
        name: 'Crm Member',
        emailVerified: false,
        disabled: false,
      },
    });
  });

  it('refuses, rather than guesses, when the legacy table holds the address twice in different case', async () => {
    await admin.query(`
      CREATE TABLE dup_users (email text, password_hash text);
      GRANT SELECT ON dup_users TO legacy_reader;
      INSERT INTO dup_users SELECT 'Twin@example.com', password_hash FROM legacy_users WHERE email = 'legacy@example.com';
      INSERT INTO dup_users SELECT 'twin@example.com', password_hash FROM legacy_users WHERE email = 'legacy@example.com';
    `);
    const dup = new PostgresLegacyUserSource(pool, {
      table: 'dup_users',
      emailColumn: 'email',
      passwordHashColumn: 'password_hash',
    });
    await expect(dup.authenticate('twin@example.com', 'Legacy-Passw0rd!')).resolves.toEqual({
      ok: false,
      reason: 'ambiguous_user',
    });
    await expect(dup.lookup('twin@example.com')).resolves.toBeUndefined();
  });

  describe('listing everyone (the bulk import)', () => {
    const listAll = async (source: PostgresLegacyUserSource, limit: number, since?: Date) => {
      const pages: string[][] = [];
      let after: string | undefined;
      for (;;) {
        const page = await source.listUsers({
          limit,
          ...(after ? { after } : {}),
          ...(since ? { since } : {}),
        });
        pages.push(page.users.map((user) => user.email));
        if (!page.next) return pages;
        after = page.next;
      }
    };

    it('pages through every address once, in order, whatever the page size', async () => {
      const demoEmails = DEMO_LEGACY_USERS.map((user) => user.email).sort((a, b) =>
        a.toLowerCase() < b.toLowerCase() ? -1 : 1,
      );
      for (const limit of [1, 4, 1000]) {
        const pages = await listAll(users, limit);
        expect(pages.flat()).toEqual(demoEmails);
        expect(pages.every((page) => page.length <= limit)).toBe(true);
      }
      await expect(users.countUsers(undefined)).resolves.toBe(DEMO_LEGACY_USERS.length);
    });

    it('lists each person with the flags the lookup reports, one row each', async () => {
      const { users: listed } = await users.listUsers({ limit: 1000 });
      expect(listed.find((user) => user.email === 'legacy.disabled@example.com')).toEqual({
        email: 'legacy.disabled@example.com',
        name: 'Disabled User',
        emailVerified: true,
        disabled: true,
        rows: 1,
      });
      expect(listed.find((user) => user.email === 'legacy.unverified@example.com')).toMatchObject({
        emailVerified: false,
        rows: 1,
      });
    });

    it('lists an address held twice in different case once, saying it has two rows', async () => {
      const dup = new PostgresLegacyUserSource(pool, {
        table: 'dup_users',
        emailColumn: 'email',
        passwordHashColumn: 'password_hash',
      });
      const { users: listed } = await dup.listUsers({ limit: 10 });
      expect(listed).toEqual([
        { email: 'Twin@example.com', emailVerified: false, disabled: false, rows: 2 },
      ]);
    });

    it('with since, lists and counts only records created at or after it', async () => {
      await admin.query(
        "UPDATE legacy_users SET created_at = '2019-01-01' WHERE email IN ('legacy@example.com', 'legacy.php@example.com')",
      );
      try {
        const since = new Date('2020-01-01T00:00:00Z');
        const listed = (await listAll(users, 3, since)).flat();
        expect(listed).toHaveLength(DEMO_LEGACY_USERS.length - 2);
        expect(listed).not.toContain('legacy@example.com');
        await expect(users.countUsers(since)).resolves.toBe(DEMO_LEGACY_USERS.length - 2);
      } finally {
        await admin.query('UPDATE legacy_users SET created_at = now()');
      }
    });

    it('refuses since on a table without a creation time column, saying which setting', async () => {
      const noCreatedAt = new PostgresLegacyUserSource(pool, {
        ...DEFAULT_TABLE,
        createdAtColumn: undefined,
      });
      await expect(
        noCreatedAt.listUsers({ limit: 10, since: new Date('2020-01-01') }),
      ).rejects.toThrow('LEGACY_CREATED_AT_COLUMN');
    });
  });

  it('refuses table and column names that are not plain identifiers', () => {
    expect(
      () =>
        new PostgresLegacyUserSource(pool, {
          ...DEFAULT_TABLE,
          emailColumn: 'email"; DROP TABLE legacy_users; --',
        }),
    ).toThrow(/Not a plain SQL identifier/);
  });

  it('connects with a role that can only read the users table', async () => {
    await expect(pool.query("UPDATE legacy_users SET name = 'x'")).rejects.toMatchObject({
      code: '42501',
    });
  });

  it('cancels a statement that runs past the timeout (statement_timeout)', async () => {
    await admin.query(`
      CREATE FUNCTION nap() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN true; END $$;
      CREATE VIEW slow_users AS SELECT u.* FROM legacy_users u WHERE nap();
      GRANT SELECT ON slow_users TO legacy_reader;
    `);
    const shortPool = createLegacyPool(db.url, 200, logger);
    try {
      const slow = new PostgresLegacyUserSource(shortPool, {
        ...DEFAULT_TABLE,
        table: 'slow_users',
      });
      await expect(slow.lookup('legacy@example.com')).rejects.toMatchObject({
        message: expect.stringMatching(/statement timeout|Query read timeout/),
      });
      // The pool still works afterwards.
      const ok = new PostgresLegacyUserSource(shortPool, DEFAULT_TABLE);
      await expect(ok.lookup('legacy@example.com')).resolves.toMatchObject({
        name: 'Legacy User',
      });
    } finally {
      await shortPool.end();
    }
  });

  describe('when the database does not answer', () => {
    let blackhole: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      blackhole = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackhole.close(resolve));
    });

    it('fails the connection after connectionTimeoutMillis instead of hanging', async () => {
      const { port } = blackhole.address() as AddressInfo;
      const deadPool = createLegacyPool(
        `postgres://legacy_reader:x@127.0.0.1:${port}/legacy`,
        200,
        logger,
      );
      try {
        const dead = new PostgresLegacyUserSource(deadPool, DEFAULT_TABLE);
        await expect(dead.authenticate('legacy@example.com', 'Legacy-Passw0rd!')).rejects.toThrow(
          /timeout/i,
        );
      } finally {
        await deadPool.end();
      }
    });
  });
});
