import { Pool } from 'pg';
import type { Logger } from '@authstack/shared';

/** What a legacy database URL starts with: the connection strings `createLegacyPool` takes. */
export const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * The connection pool to the legacy database: at most two connections, kept open
 * between invocations (idle connections are never closed by the pool), and every
 * step bounded by `timeoutMs`: connecting, the statement on the server
 * (`statement_timeout`) and the wait for the answer on the client (`query_timeout`).
 */
export function createLegacyPool(
  connectionString: string,
  timeoutMs: number,
  logger: Logger,
): Pool {
  const pool = new Pool({
    connectionString,
    max: 2,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 250,
    keepAlive: true,
    application_name: 'user-migration-trigger',
  });
  // An idle connection that breaks (database restarted, Lambda frozen too long) must
  // not crash the process: the pool drops it and the next query opens a new one.
  pool.on('error', (error: Error & { code?: string }) => {
    logger.warn(
      { errorType: error.name, errorMessage: error.message, errorCode: error.code },
      'idle legacy database connection failed',
    );
  });
  return pool;
}
