import type { Pool } from 'pg';
import {
  LegacyListingUnsupportedError,
  type LegacyAuthResult,
  type LegacyListFilter,
  type LegacyProfile,
  type LegacyUserDirectory,
  type LegacyUserPage,
  type LegacyUserSource,
} from '../domain/legacy-user-source';
import { spendDummyVerification, verifyPasswordHash } from '../domain/password-hash';
import { quoteIdentifier } from './sql-identifier';

/** Where the legacy users live; names are checked and quoted, never interpolated raw. */
export interface LegacyUsersTable {
  table: string;
  emailColumn: string;
  passwordHashColumn: string;
  nameColumn?: string;
  emailVerifiedColumn?: string;
  disabledColumn?: string;
  /** When the record was created: what `--since` of the bulk import filters on. */
  createdAtColumn?: string;
}

interface LegacyRow {
  email: string;
  password_hash: string | null;
  name?: string | null;
  email_verified?: unknown;
  disabled?: unknown;
}

/** Legacy flags come as booleans, 0/1, 't'/'f', 'yes'/'no' … depending on the old schema. */
function flag(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string')
    return ['t', 'true', '1', 'y', 'yes'].includes(value.trim().toLowerCase());
  return false;
}

/** Builds the one lookup query: parameterized, identifiers quoted, at most two rows. */
export function buildLookupQuery(names: LegacyUsersTable): string {
  const column = (name: string, alias: string) => `${quoteIdentifier(name)} AS ${alias}`;
  const email = quoteIdentifier(names.emailColumn);
  const selected = [
    column(names.emailColumn, 'email'),
    column(names.passwordHashColumn, 'password_hash'),
    ...(names.nameColumn ? [column(names.nameColumn, 'name')] : []),
    ...(names.emailVerifiedColumn ? [column(names.emailVerifiedColumn, 'email_verified')] : []),
    ...(names.disabledColumn ? [column(names.disabledColumn, 'disabled')] : []),
  ];
  // Two rows, so that a legacy table that told apart "A@x" and "a@x" is noticed, not guessed.
  return `SELECT ${selected.join(', ')} FROM ${quoteIdentifier(names.table, { qualified: true })} WHERE lower(${email}) = $1 LIMIT 2`;
}

/**
 * The bulk import's listing: one row per address (compared case-insensitively, like the
 * lookup), in address order, from the address after `$1`, at most `$2`, and with `since`
 * only records created at or after `$3`. Keyset paging over the same `lower(email)` the
 * lookup's index serves, so every page costs the same however deep the listing is.
 */
export function buildListQuery(names: LegacyUsersTable, since: boolean): string {
  const email = `lower(${quoteIdentifier(names.emailColumn)})`;
  const text = (name: string | undefined, alias: string) =>
    name ? [`min(${quoteIdentifier(name)}::text) AS ${alias}`] : [];
  const selected = [
    `${email} AS key`,
    'count(*)::int AS rows',
    `min(${quoteIdentifier(names.emailColumn)}) AS email`,
    ...text(names.nameColumn, 'name'),
    ...text(names.emailVerifiedColumn, 'email_verified'),
    ...text(names.disabledColumn, 'disabled'),
  ];
  const where = [`${email} > $1`, ...(since ? [createdSince(names, '$3')] : [])];
  return `SELECT ${selected.join(', ')} FROM ${quoteIdentifier(names.table, { qualified: true })} WHERE ${where.join(' AND ')} GROUP BY ${email} ORDER BY ${email} LIMIT $2`;
}

/** How many addresses the listing returns in all (`$1`: since, when given). */
export function buildCountQuery(names: LegacyUsersTable, since: boolean): string {
  const email = `lower(${quoteIdentifier(names.emailColumn)})`;
  const where = since ? ` WHERE ${createdSince(names, '$1')}` : '';
  return `SELECT count(DISTINCT ${email})::int AS count FROM ${quoteIdentifier(names.table, { qualified: true })}${where}`;
}

function createdSince(names: LegacyUsersTable, parameter: string): string {
  if (!names.createdAtColumn) {
    throw new LegacyListingUnsupportedError(
      'LEGACY_CREATED_AT_COLUMN is "none": the legacy table has no creation time to filter --since on',
    );
  }
  return `${quoteIdentifier(names.createdAtColumn)} >= ${parameter}`;
}

interface ListedRow extends LegacyRow {
  key: string;
  rows: number;
}

/**
 * The legacy users table in Postgres. Hashes are verified here, in the trigger, with
 * the same algorithm the legacy system used (see `verifyPasswordHash`). The pool is
 * owned by the caller (built once per Lambda environment and kept warm).
 */
export class PostgresLegacyUserSource implements LegacyUserSource, LegacyUserDirectory {
  readonly #pool: Pool;
  readonly #names: LegacyUsersTable;
  readonly #query: string;

  constructor(pool: Pool, names: LegacyUsersTable) {
    this.#pool = pool;
    this.#names = names;
    this.#query = buildLookupQuery(names);
  }

  async listUsers(filter: LegacyListFilter): Promise<LegacyUserPage> {
    const query = buildListQuery(this.#names, filter.since !== undefined);
    const result = await this.#pool.query<ListedRow>(query, [
      filter.after ?? '',
      filter.limit,
      ...(filter.since ? [filter.since] : []),
    ]);
    const users = result.rows.map((row) => ({ ...toProfile(row), rows: row.rows }));
    const last = result.rows.at(-1);
    return last && result.rows.length === filter.limit ? { users, next: last.key } : { users };
  }

  async countUsers(since: Date | undefined): Promise<number> {
    const query = buildCountQuery(this.#names, since !== undefined);
    const result = await this.#pool.query<{ count: number }>(query, since ? [since] : []);
    return result.rows[0]?.count ?? 0;
  }

  async authenticate(email: string, password: string): Promise<LegacyAuthResult> {
    const rows = await this.#find(email);
    const row = rows[0];
    if (!row || rows.length > 1 || !row.password_hash) {
      await spendDummyVerification(password);
      if (!row) return { ok: false, reason: 'unknown_user' };
      return rows.length > 1
        ? { ok: false, reason: 'ambiguous_user' }
        : { ok: false, reason: 'unsupported_hash', hashKind: 'none' };
    }
    const verification = await verifyPasswordHash(password, row.password_hash);
    if (verification.status === 'unsupported') {
      return { ok: false, reason: 'unsupported_hash', hashKind: verification.kind };
    }
    if (verification.status === 'mismatch') return { ok: false, reason: 'wrong_password' };
    return { ok: true, profile: toProfile(row) };
  }

  async lookup(email: string): Promise<LegacyProfile | undefined> {
    const rows = await this.#find(email);
    return rows.length === 1 && rows[0] ? toProfile(rows[0]) : undefined;
  }

  async holdsAccount(email: string): Promise<boolean> {
    return (await this.#find(email)).length > 0;
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async #find(email: string): Promise<LegacyRow[]> {
    const result = await this.#pool.query<LegacyRow>(this.#query, [email]);
    return result.rows;
  }
}

function toProfile(row: LegacyRow): LegacyProfile {
  const name = typeof row.name === 'string' ? row.name.trim() : '';
  return {
    email: row.email,
    ...(name ? { name } : {}),
    emailVerified: flag(row.email_verified),
    disabled: flag(row.disabled),
  };
}
