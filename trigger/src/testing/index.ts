import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createDatabase,
  getFreePort,
  sharedServerPort,
  startRestartableProcess,
  type RestartableProcess,
  type StartedProcess,
  withDatabase,
} from '@authstack/shared/testing';
import { functionArnOf } from '../invoke/app';
import { LEGACY_DB, localLegacyDatabaseUrl } from '../local/legacy-db-settings';
import { prepareLegacyDatabase } from '../local/legacy-users';

export { DEMO_LEGACY_USERS, seedLegacyUsers, type SeedLegacyUser } from '../local/legacy-users';
export { LEGACY_DB, localLegacyDatabaseUrl } from '../local/legacy-db-settings';

// Tests import this file from source; the processes run the built output.
const DIST = path.resolve(__dirname, '../../dist');

export interface LegacyDatabase {
  /** What the trigger connects with: the read-only `legacy_reader` role. */
  url: string;
  /** The owner role, for tests that create tables or seed users. */
  adminUrl: string;
  port: number;
  /** The running database process; `start()` replaces it. */
  readonly process: StartedProcess;
  /** Stops the database (SIGTERM: Postgres shuts down at once) and keeps its data: the store is down. */
  halt(): Promise<void>;
  /** Starts it again after `halt()`, on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it for good; a temporary data directory is removed. */
  stop(): Promise<void>;
}

/**
 * Starts the embedded legacy Postgres (seeded with the demo users) on a free port, in a
 * new temporary data directory unless `dataDir` is given (the temporary one is removed
 * on stop). Takes 1–3 s: share one per test file.
 */
export async function startLegacyDatabase(
  options: { dataDir?: string } = {},
): Promise<LegacyDatabase> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'legacy-db-'));
  const port = await getFreePort();
  const removeTemporaryDir = () => {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const running = await startRestartableProcess({
    script: path.join(DIST, 'local/legacy-db.js'),
    env: { LEGACY_DB_PORT: String(port), LEGACY_DB_DIR: dataDir, LOG_LEVEL: 'info' },
    readyLine: /"msg":"legacy database ready"/,
    readyTimeoutMs: 60_000,
  }).catch((error: unknown) => {
    removeTemporaryDir();
    throw error;
  });
  return {
    url: localLegacyDatabaseUrl(port, 'reader'),
    adminUrl: localLegacyDatabaseUrl(port, 'admin'),
    port,
    get process() {
      return running.process;
    },
    halt: () => running.stop('SIGTERM'),
    start: () => running.restart(),
    async stop() {
      await running.stop('SIGTERM');
      removeTemporaryDir();
    },
  };
}

/** A legacy database of a test file's own, seeded with the demo users; `stop()` releases it. */
export interface FreshLegacyDatabase {
  /** What the trigger connects with: the read-only `legacy_reader` role. */
  url: string;
  /** The owner role, for tests that create tables or seed users. */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A new legacy database, seeded with the demo users, for one test file: on the run's shared
 * legacy server (see `SHARED_SERVER_VARIABLES`), or on a server of its own outside such a
 * run. For tests that only use the store; those that halt or restart it start their own
 * (`startLegacyDatabase`).
 */
export async function freshLegacyDatabase(): Promise<FreshLegacyDatabase> {
  const port = sharedServerPort('legacy');
  if (port === undefined) return startLegacyDatabase();
  const database = await createDatabase({ port, admin: LEGACY_DB.admin, prefix: 'legacy' });
  const adminUrl = localLegacyDatabaseUrl(port, 'admin', '127.0.0.1', database);
  await withDatabase(adminUrl, prepareLegacyDatabase);
  return {
    url: localLegacyDatabaseUrl(port, 'reader', '127.0.0.1', database),
    adminUrl,
    port,
    // The database stays until the global teardown removes the server with its data.
    stop: async () => {},
  };
}

/**
 * The invoke server; its process's stdout holds one JSON line per invocation. `restart()`
 * starts it again on the same port, e.g. to bring a "down" trigger back.
 */
export interface TriggerInvokeServer extends RestartableProcess {
  /** The Lambda endpoint to give `new LambdaClient({ endpoint })`. */
  endpoint: string;
  functionName: string;
  functionArn: string;
}

export interface TriggerInvokeServerOptions {
  /** Sets `LEGACY_DATABASE_URL` (the postgres store). */
  legacyDatabaseUrl?: string;
  /** Any other variables of the trigger or the invoke server; they win over the defaults. */
  env?: Record<string, string>;
}

/** Starts the built trigger behind the local Lambda Invoke API on a free port. */
export async function startTriggerInvokeServer(
  options: TriggerInvokeServerOptions,
): Promise<TriggerInvokeServer> {
  const port = await getFreePort();
  const env: Record<string, string> = {
    TRIGGER_HOST: '127.0.0.1',
    TRIGGER_PORT: String(port),
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'info',
    ...(options.legacyDatabaseUrl ? { LEGACY_DATABASE_URL: options.legacyDatabaseUrl } : {}),
    ...options.env,
  };
  const functionName = env.TRIGGER_FUNCTION_NAME ?? 'user-migration';
  const endpoint = `http://127.0.0.1:${port}`;
  const running = await startRestartableProcess({
    script: path.join(DIST, 'invoke-server.js'),
    env,
    readyUrl: `${endpoint}/health`,
  });
  const server: TriggerInvokeServer = Object.assign(running, {
    endpoint,
    functionName,
    functionArn: functionArnOf(env.AWS_REGION ?? 'us-east-1', functionName),
  });
  return server;
}

/** The JSON lines an invoke server printed so far (every line it prints is one). */
function jsonLines(server: Pick<TriggerInvokeServer, 'process'>): Record<string, unknown>[] {
  return server.process
    .stdoutLines()
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })
    .filter((record): record is Record<string, unknown> => record !== undefined);
}

/** The `invocation completed` lines an invoke server printed (one per invocation). */
export function invocationLines(
  server: Pick<TriggerInvokeServer, 'process'>,
): Record<string, unknown>[] {
  return jsonLines(server).filter((record) => record.msg === 'invocation completed');
}

/**
 * The CloudWatch metric lines (embedded metric format: an `_aws` member) an invoke server
 * printed: one per invocation, its `awsRequestId` the invocation's request id.
 */
export function metricLines(
  server: Pick<TriggerInvokeServer, 'process'>,
): Record<string, unknown>[] {
  return jsonLines(server).filter((record) => '_aws' in record);
}
