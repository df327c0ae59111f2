import { z } from 'zod';
import { createLogger, env, loadConfig, logProcessWarnings } from '@authstack/shared';
import { runEmbeddedPostgres, withClient } from '@authstack/shared/local/embedded-postgres';
import { quoteIdentifier } from '../adapters/sql-identifier';
import { LEGACY_DB, localLegacyDatabaseUrl } from './legacy-db-settings';
import { prepareLegacyDatabase } from './legacy-users';

/**
 * The offline legacy user store: an embedded Postgres (binaries from npm) with the
 * legacy users table and the demo users. Initialised once; the data directory is kept
 * across restarts and seeding is idempotent. Local development and tests only.
 */
const config = loadConfig(
  z.object({
    LEGACY_DB_PORT: env.port(54329),
    LEGACY_DB_DIR: z.string().default('.local/legacy-db'),
    LOG_LEVEL: env.logLevel(),
  }),
);
const logger = createLogger({ name: 'legacy-db', level: config.LOG_LEVEL });
logProcessWarnings(logger);

runEmbeddedPostgres({
  name: 'legacy database',
  port: config.LEGACY_DB_PORT,
  dataDir: config.LEGACY_DB_DIR,
  admin: LEGACY_DB.admin,
  logger,
  async setup(connect) {
    await withClient(connect, 'postgres', async (client) => {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        LEGACY_DB.database,
      ]);
      if (rowCount === 0)
        await client.query(`CREATE DATABASE ${quoteIdentifier(LEGACY_DB.database)}`);
    });
    const seededUsers = await withClient(connect, LEGACY_DB.database, prepareLegacyDatabase);
    return {
      database: LEGACY_DB.database,
      user: LEGACY_DB.reader.user,
      // The password is the documented local-only constant; it is left out of logs.
      url: localLegacyDatabaseUrl(config.LEGACY_DB_PORT).replace(/:[^:@/]+@/, '@'),
      seededUsers,
    };
  },
});
