import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { argon2id } from 'hash-wasm';
import type { ClientBase } from 'pg';
import { quoteIdentifier } from '../adapters/sql-identifier';
import { LEGACY_DB } from './legacy-db-settings';

/** How a seeded user's password is stored, as various legacy systems did it. */
export type SeedHashKind = 'bcrypt' | 'bcrypt-2y' | 'argon2id' | 'md5-crypt';

export interface SeedLegacyUser {
  email: string;
  password: string;
  name: string;
  hash: SeedHashKind;
  /**
   * The stored hash, as the legacy system left it (of kind `hash`). Absent: made from
   * `password` when seeded. The demo users carry theirs, fixed, as a real store would: every
   * fresh legacy database seeds them (tests start dozens), and bcrypt at cost 10 costs ~75 ms
   * of CPU a user.
   */
  passwordHash?: string;
  emailVerified?: boolean;
  disabled?: boolean;
}

/**
 * The demo legacy users (local only). The first three are the contract other parts
 * and the README rely on; the others show each branch of the migration.
 */
export const DEMO_LEGACY_USERS: readonly SeedLegacyUser[] = [
  {
    email: 'legacy@example.com',
    password: 'Legacy-Passw0rd!',
    name: 'Legacy User',
    hash: 'bcrypt',
    passwordHash: '$2b$10$WyJVG.9TgP0Q94UnTg4fNeBOK/qkQBX/TY.oEWOk6AoMbNf7sZApe',
    emailVerified: true,
  },
  {
    email: 'legacy.argon@example.com',
    password: 'Legacy-Argon2-Passw0rd!',
    name: 'Argon User',
    hash: 'argon2id',
    passwordHash:
      '$argon2id$v=19$m=19456,t=2,p=1$/pXtumRzVz/m3XVM7pYEvA$tGoR5gsLwjA5t31CtFvXg6cy8gMeDFkBexZvZQvtj5g',
    emailVerified: true,
  },
  {
    email: 'legacy.reset@example.com',
    password: 'Legacy-Reset-Passw0rd!',
    name: 'Reset User',
    hash: 'bcrypt',
    passwordHash: '$2b$10$BwvE4jkiBziNt5NGzKL4xO7Fe72FI1cNn.nAUtpZpHMtA7tHxnpdS',
    emailVerified: true,
  },
  {
    email: 'legacy.php@example.com',
    password: 'Legacy-Php-Passw0rd!',
    name: 'PHP User',
    hash: 'bcrypt-2y',
    passwordHash: '$2y$10$GrqyMPeqhpH76zj8gKQqm.sspqkyyeM0WehqhYnbtfN/iVOFbdWpa',
    emailVerified: true,
  },
  {
    email: 'Legacy.Mixed@Example.com',
    password: 'Legacy-Mixed-Passw0rd!',
    name: 'Mixed Case User',
    hash: 'bcrypt',
    passwordHash: '$2b$10$INXeUfrs9HkgsUMSY9O8G.QDpBLUqRzXZPmwqG0GSHga8XYEh1IhO',
    emailVerified: true,
  },
  {
    email: 'legacy.weak@example.com',
    password: 'password',
    name: 'Weak Password User',
    hash: 'bcrypt',
    passwordHash: '$2b$10$klqKh2CMthNhQikisphf0uWmpwQ3c5.3MRTECL4NKs6tPyStmYmD2',
    emailVerified: true,
  },
  {
    email: 'legacy.unverified@example.com',
    password: 'Legacy-Unverified-Passw0rd!',
    name: 'Unverified User',
    hash: 'bcrypt',
    passwordHash: '$2b$10$xttT9Q6NXbm8v0VY1lG.lupPQJVLvZZr71rUOWkYWWNsKG9wpM7/K',
    emailVerified: false,
  },
  {
    email: 'legacy.disabled@example.com',
    password: 'Legacy-Disabled-Passw0rd!',
    name: 'Disabled User',
    hash: 'bcrypt',
    passwordHash: '$2b$10$P62HMZBOn/r0yIRbITfzf.JGBuWXWiroqcL6dinrwcFGLl.KKcT1W',
    emailVerified: true,
    disabled: true,
  },
  {
    email: 'legacy.md5@example.com',
    password: 'Legacy-Md5-Passw0rd!',
    name: 'MD5 User',
    hash: 'md5-crypt',
    passwordHash: '$1$fUhgNEmF$8BOSZgPnx-YhdQrunhUXSg',
    emailVerified: true,
  },
];

/** bcrypt cost of seeded hashes: what a typical legacy system used. */
const BCRYPT_COST = 10;

/** Hashes `password` as a legacy system would have stored it. */
export async function legacyHash(password: string, kind: SeedHashKind): Promise<string> {
  switch (kind) {
    case 'bcrypt':
      return bcrypt.hash(password, BCRYPT_COST);
    case 'bcrypt-2y':
      // PHP's password_hash() writes `$2y$`; the algorithm is the same as `$2b$`.
      return (await bcrypt.hash(password, BCRYPT_COST)).replace(/^\$2b\$/, '$2y$');
    case 'argon2id':
      return argon2id({
        password,
        salt: randomBytes(16),
        parallelism: 1,
        iterations: 2,
        memorySize: 19_456,
        hashLength: 32,
        outputType: 'encoded',
      });
    case 'md5-crypt':
      // A scheme the trigger does not support: such users are refused and logged.
      return `$1$${randomBytes(6).toString('base64url').slice(0, 8)}$${randomBytes(16).toString('base64url').slice(0, 22)}`;
  }
}

/** What the legacy store keeps for `user`: its fixed hash, or one made now from its password. */
export async function storedHash(user: SeedLegacyUser): Promise<string> {
  return user.passwordHash ?? legacyHash(user.password, user.hash);
}

/** Creates the legacy users table and the trigger's read-only role, if missing. */
export async function ensureLegacySchema(client: ClientBase): Promise<void> {
  const table = quoteIdentifier(LEGACY_DB.table);
  const reader = quoteIdentifier(LEGACY_DB.reader.user);
  await client.query(`
    CREATE TABLE IF NOT EXISTS ${table} (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email text NOT NULL,
      password_hash text NOT NULL,
      name text,
      email_verified boolean NOT NULL DEFAULT false,
      disabled boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX IF NOT EXISTS legacy_users_email_lower ON ${table} (lower(email));
  `);
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [
    LEGACY_DB.reader.user,
  ]);
  if (rowCount === 0) {
    // Role passwords cannot be bound as parameters; the value is a fixed local-only constant.
    await client.query(`CREATE ROLE ${reader} LOGIN PASSWORD '${LEGACY_DB.reader.password}'`);
  }
  await client.query(`GRANT SELECT ON ${table} TO ${reader}`);
}

/**
 * Makes a legacy database what the offline store is: the users table, the trigger's read-only
 * role, and the demo users not there yet. Returns how many users it added.
 */
export async function prepareLegacyDatabase(client: ClientBase): Promise<number> {
  await ensureLegacySchema(client);
  return seedLegacyUsers(client, DEMO_LEGACY_USERS);
}

/**
 * Inserts the users that are not there yet (matched case-insensitively by email).
 * Only missing users are hashed, so a restart over an existing database costs one query.
 */
export async function seedLegacyUsers(
  client: ClientBase,
  users: readonly SeedLegacyUser[],
): Promise<number> {
  const table = quoteIdentifier(LEGACY_DB.table);
  const existing = await client.query<{ email: string }>(
    `SELECT lower(email) AS email FROM ${table} WHERE lower(email) = ANY($1)`,
    [users.map((user) => user.email.toLowerCase())],
  );
  const present = new Set(existing.rows.map((row) => row.email));
  const missing = users.filter((user) => !present.has(user.email.toLowerCase()));
  const rows = await Promise.all(
    missing.map(async (user) => [
      user.email,
      await storedHash(user),
      user.name,
      user.emailVerified ?? false,
      user.disabled ?? false,
    ]),
  );
  for (const row of rows) {
    await client.query(
      `INSERT INTO ${table} (email, password_hash, name, email_verified, disabled)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT ((lower(email))) DO NOTHING`,
      row,
    );
  }
  return rows.length;
}
