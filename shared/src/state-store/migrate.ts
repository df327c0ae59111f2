import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { Logger } from '../logger';
import { stateClientConfig } from './pool';

/** The versioned SQL migrations of the state store (shipped with the shared package). */
export const STATE_MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');

/**
 * Brings the state store's schema up to date with node-pg-migrate. Several instances may
 * start at once: each waits for the migration advisory lock, and finds nothing left to do.
 * Returns the names of the migrations this call applied. A store that fails mid-way
 * rejects the call; it never crashes the process.
 */
export async function migrateStateStore(databaseUrl: string, logger: Logger): Promise<string[]> {
  // node-pg-migrate is an ES module; this `import()` stays a real dynamic import in the
  // CommonJS output (module: node16).
  const { runner } = await import('node-pg-migrate');
  // Our own client: with a connect timeout, keepalive, and an error listener (a store that
  // dies during the migration must reject this call, not emit an unhandled 'error').
  const client = new Client(stateClientConfig(databaseUrl, { applicationName: 'migrations' }));
  let lost: Error | undefined;
  client.on('error', (error) => {
    lost = error;
  });
  try {
    await client.connect();
    const applied = await runner({
      dbClient: client,
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
    if (lost) throw lost;
    const names = applied.map((migration) => migration.name);
    if (names.length > 0) logger.info({ migrations: names }, 'state store schema migrated');
    return names;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface BackgroundMigration {
  /** Settles after the first attempt: true when the schema is up to date. */
  firstAttempt: Promise<boolean>;
  /** Settles once the schema is up to date, or when `signal` aborts. Never rejects. */
  done: Promise<void>;
}

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 10_000;

/**
 * Migrates now and, while the store is unreachable, again with a growing delay (1 s doubling
 * to 10 s) until it succeeds: a server starts and serves while its store is down.
 */
export function migrateInBackground(
  databaseUrl: string,
  logger: Logger,
  signal: AbortSignal,
): BackgroundMigration {
  let reportFirst!: (ok: boolean) => void;
  const firstAttempt = new Promise<boolean>((resolve) => {
    reportFirst = resolve;
  });
  const done = (async () => {
    for (let attempt = 1, delayMs = FIRST_RETRY_MS; !signal.aborted; attempt += 1) {
      const failure = await migrateStateStore(databaseUrl, logger).then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
      if (attempt === 1) reportFirst(failure === undefined);
      if (failure === undefined) {
        if (attempt > 1) logger.info({ attempt }, 'state store migrations done');
        return;
      }
      logger.warn(
        { attempt, retryInMs: delayMs, errorMessage: failure.message },
        'state store migrations failed; retrying in the background',
      );
      await sleep(delayMs, undefined, { signal, ref: false }).catch(() => undefined);
      delayMs = Math.min(delayMs * 2, MAX_RETRY_MS);
    }
    reportFirst(false);
  })();
  return { firstAttempt, done };
}
