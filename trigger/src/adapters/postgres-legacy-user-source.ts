import type { Pool } from 'pg';
import type {
  LegacyAuthResult,
  LegacyProfile,
  LegacyUserSource,
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
 * The legacy users table in Postgres. Hashes are verified here, in the trigger, with
 * the same algorithm the legacy system used (see `verifyPasswordHash`). The pool is
 * owned by the caller (built once per Lambda environment and kept warm).
 */
export class PostgresLegacyUserSource implements LegacyUserSource {
  readonly #pool: Pool;
  readonly #query: string;

  constructor(pool: Pool, names: LegacyUsersTable) {
    this.#pool = pool;
    this.#query = buildLookupQuery(names);
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
