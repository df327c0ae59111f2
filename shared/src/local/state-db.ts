import { escapeIdentifier, escapeLiteral } from 'pg';
import { z } from 'zod';
import { env, loadConfig } from '../config';
import { createLogger, logProcessWarnings } from '../logger';
import { LOCAL_STATE_DB, localStateDatabaseUrl, withoutPassword } from '../state-store/settings';
import { runEmbeddedPostgres, withClient } from './embedded-postgres';

/**
 * The offline state store (revocations, rate limits): an embedded Postgres with its own
 * database and role. The servers create and upgrade the schema themselves at start.
 * Local development and tests only.
 */
const config = loadConfig(
  z.object({
    STATE_DB_PORT: env.port(54330),
    STATE_DB_DIR: z.string().default('.local/state-db'),
    LOG_LEVEL: env.logLevel(),
  }),
);
const logger = createLogger({ name: 'state-db', level: config.LOG_LEVEL });
logProcessWarnings(logger);

runEmbeddedPostgres({
  name: 'state store',
  port: config.STATE_DB_PORT,
  dataDir: config.STATE_DB_DIR,
  admin: LOCAL_STATE_DB.admin,
  logger,
  // A revocation acknowledged to a user must survive a crash of the store.
  durableCommits: true,
  async setup(connect) {
    const { database, app } = LOCAL_STATE_DB;
    await withClient(connect, 'postgres', async (client) => {
      const role = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [app.user]);
      if (role.rowCount === 0) {
        await client.query(
          `CREATE ROLE ${escapeIdentifier(app.user)} LOGIN PASSWORD ${escapeLiteral(app.password)}`,
        );
      }
      const db = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (db.rowCount === 0) {
        await client.query(
          `CREATE DATABASE ${escapeIdentifier(database)} OWNER ${escapeIdentifier(app.user)}`,
        );
      }
    });
    return {
      database,
      user: app.user,
      url: withoutPassword(localStateDatabaseUrl(config.STATE_DB_PORT)),
    };
  },
});
