import { Pool, type PoolConfig } from 'pg';
import type { Logger } from '../logger';

export interface StatePoolOptions {
  /** Names the connections in `pg_stat_activity`, e.g. `auth-server`. */
  applicationName: string;
  logger: Logger;
  /** Deadline of connecting and of each query; a store that does not answer is a fault. */
  timeoutMs?: number;
  max?: number;
}

/** Connection settings every client of the state store shares. */
export function stateClientConfig(
  url: string,
  { applicationName, timeoutMs = 2000 }: Pick<StatePoolOptions, 'applicationName' | 'timeoutMs'>,
): PoolConfig {
  return {
    connectionString: url,
    application_name: applicationName,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    keepAlive: true,
  };
}

/**
 * A pg pool on the shared state store. Faults surface as rejected queries within
 * `timeoutMs`; an idle connection that breaks is logged and replaced, never thrown.
 */
export function createStatePool(url: string, options: StatePoolOptions): Pool {
  const pool = new Pool({ ...stateClientConfig(url, options), max: options.max ?? 10 });
  pool.on('error', (error) => {
    options.logger.warn({ errorMessage: error.message }, 'state store connection lost');
  });
  return pool;
}
