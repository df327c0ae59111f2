/**
 * Names and local-only credentials of the offline legacy database. The passwords are
 * fixed, documented and bound to a Postgres that listens on 127.0.0.1 only: they
 * protect nothing and are never logged, so logs stay free of anything password-shaped.
 */
export const LEGACY_DB = {
  database: 'legacy',
  /** Owner of the database; creates the schema and seeds users. */
  admin: { user: 'legacy_admin', password: 'legacy-admin-local-only' },
  /** What the trigger connects as: SELECT on the users table and nothing else. */
  reader: { user: 'legacy_reader', password: 'legacy-reader-local-only' },
  table: 'legacy_users',
} as const;

export type LegacyDbRole = 'admin' | 'reader';

/**
 * The connection URL of the local legacy database for `role` (the trigger uses `reader`).
 * Tests give each file a `database` of its own on one server.
 */
export function localLegacyDatabaseUrl(
  port: number,
  role: LegacyDbRole = 'reader',
  host = '127.0.0.1',
  database: string = LEGACY_DB.database,
): string {
  const { user, password } = LEGACY_DB[role];
  return `postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
}
