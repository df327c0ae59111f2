import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCAL_STATE_DB, localStateDatabaseUrl } from '../state-store/settings';
import { getFreePort } from './ports';
import { startProcess, type StartedProcess } from './process';
import { createDatabase, sharedServerPort } from './shared-servers';

// Tests import this file from source; the processes run the built output.
const DIST = path.resolve(__dirname, '../../dist');

export interface StateDatabase {
  /** STATE_DATABASE_URL for the servers. */
  url: string;
  port: number;
  dataDir: string;
  process: StartedProcess;
  /** Runs the state store's migrations in a new process (as a server does at start); resolves with its output. */
  migrate(): Promise<string>;
  /** SIGKILLs the Postgres server itself (and its wrapper): a crash, not a shutdown. */
  crash(): Promise<void>;
  /** Starts Postgres again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and removes a temporary data directory. */
  stop(): Promise<void>;
}

function runNode(script: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${script} failed: ${error.message}\n${stdout}${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * Starts the embedded state store (its own database and role) on a free port, in a new
 * temporary data directory. Takes 1–3 s: share one per test file. With `migrate`, the
 * schema is created before this resolves.
 */
export async function startStateDatabase(
  options: { migrate?: boolean } = {},
): Promise<StateDatabase> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'state-db-'));
  const port = await getFreePort();
  const url = localStateDatabaseUrl(port);
  const launch = () =>
    startProcess({
      script: path.join(DIST, 'local/state-db.js'),
      env: { STATE_DB_PORT: String(port), STATE_DB_DIR: dataDir, LOG_LEVEL: 'info' },
      readyLine: /"msg":"state store ready"/,
      readyTimeoutMs: 60_000,
    });
  const database: StateDatabase = {
    url,
    port,
    dataDir,
    process: await launch().catch((error: unknown) => {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }),
    migrate: () =>
      runNode(path.join(DIST, 'state-store/migrate-cli.js'), { STATE_DATABASE_URL: url }),
    async crash() {
      const postmaster = Number(
        readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      process.kill(postmaster, 'SIGKILL');
      await database.process.stop('SIGKILL');
    },
    async start() {
      // Backends of a killed server exit on their own within moments; until then the new
      // server may refuse the old shared memory, so try a few times.
      for (let attempt = 1; ; attempt += 1) {
        try {
          database.process = await launch();
          return;
        } catch (error) {
          if (attempt >= 10) throw error;
          await sleep(300);
        }
      }
    },
    async stop() {
      await database.process.stop('SIGTERM', 25_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (options.migrate) await database.migrate();
  return database;
}

/** A state database of a test file's own; `stop()` releases it. */
export interface FreshStateDatabase {
  /** STATE_DATABASE_URL for the servers. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A new, empty state database for one test file: on the run's shared state-store server (see
 * `SHARED_SERVER_VARIABLES`), or on a server of its own outside such a run. With
 * `migrate`, the schema is created before this resolves. For tests that only use the store;
 * those that crash or restart it start their own (`startStateDatabase`).
 */
export async function freshStateDatabase(
  options: { migrate?: boolean } = {},
): Promise<FreshStateDatabase> {
  const port = sharedServerPort('state');
  if (port === undefined) return startStateDatabase(options);
  const database = await createDatabase({
    port,
    admin: LOCAL_STATE_DB.admin,
    prefix: 'state',
    owner: LOCAL_STATE_DB.app.user,
    // The shared server's own database is migrated once by the global setup and otherwise
    // left alone, so that it can be copied (a template must have no open connection).
    ...(options.migrate ? { template: LOCAL_STATE_DB.database } : {}),
  });
  const url = localStateDatabaseUrl(port, '127.0.0.1', database);
  // The database stays until the global teardown removes the server with its data.
  return { url, port, stop: async () => {} };
}
