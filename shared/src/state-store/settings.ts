/**
 * Names and local-only credentials of the offline state store (revocations, rate limits):
 * an embedded Postgres on 127.0.0.1 only. The passwords protect nothing, are documented,
 * and never logged.
 */
export const LOCAL_STATE_DB = {
  database: 'authstack_state',
  /** The cluster's superuser; creates the database and the role. */
  admin: { user: 'state_admin', password: 'state-admin-local-only' },
  /** What the servers connect as: owner of the state database and nothing else. */
  app: { user: 'authstack_state', password: 'authstack-state-local-only' },
} as const;

/**
 * The connection URL of the local state store, as the servers use it. Tests give each file
 * a `database` of its own on one server.
 */
export function localStateDatabaseUrl(
  port: number,
  host = '127.0.0.1',
  database: string = LOCAL_STATE_DB.database,
): string {
  const { user, password } = LOCAL_STATE_DB.app;
  return `postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
}

/** `postgres://user:secret@host/db` → `postgres://user@host/db`, for log lines. */
export function withoutPassword(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]+):[^@/]*@/, '$1@');
}

/** What a state store URL looks like; config schemas use it. */
export const STATE_DATABASE_URL_PATTERN = /^postgres(?:ql)?:\/\/\S+$/;
