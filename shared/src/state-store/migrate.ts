import path from 'node:path';
import type { Logger } from '../logger';

/** The versioned SQL migrations of the state store (shipped with the shared package). */
export const STATE_MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

/**
 * Brings the state store's schema up to date with node-pg-migrate. Several instances may
 * start at once: each waits for the migration advisory lock, and finds nothing left to do.
 * Returns the names of the migrations this call applied.
 */
export async function migrateStateStore(databaseUrl: string, logger: Logger): Promise<string[]> {
  // node-pg-migrate is an ES module; this `import()` stays a real dynamic import in the
  // CommonJS output (module: node16).
  const { runner } = await import('node-pg-migrate');
  const applied = await runner({
    databaseUrl,
    dir: STATE_MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: true,
    advisoryLockMode: 'wait',
    log: () => undefined,
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => logger.warn({ migration: message }, 'state store migration'),
      error: (message: string) => logger.error({ migration: message }, 'state store migration'),
    },
  });
  const names = applied.map((migration) => migration.name);
  if (names.length > 0) logger.info({ migrations: names }, 'state store schema migrated');
  return names;
}
