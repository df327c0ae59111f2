import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@authstack/shared';
import {
  createStatePool,
  migrateInBackground,
  RevocationStore,
  withoutPassword,
} from '@authstack/shared/state-store';
import type { StateStoreDeps } from '../app';

export interface OpenStateStoreOptions {
  logger: Logger;
  /** The longest ID/access token lifetime of the pool: how long a revocation is kept. */
  maxTokenLifetimeSeconds: number;
  /** How long start-up waits for the migrations before it listens anyway. */
  migrationWaitMs?: number;
  /** How often revocations that can no longer match a valid token are deleted. */
  pruneIntervalMs?: number;
}

export interface OpenedStateStore {
  deps: StateStoreDeps;
  /** Stops the background work and closes the connections. */
  close(): Promise<void>;
}

/**
 * Connects the auth-server to the shared state store. The schema migrations run at once and
 * start-up waits for them, up to `migrationWaitMs`. A store that is unreachable (or a
 * migration that fails) never stops the server, since sign-in must keep working while the
 * store is down: the migrations are retried in the background, with a growing delay, until
 * they succeed, and meanwhile revocations answer 503 `revocation_unavailable`. Expired
 * revocations are pruned every `pruneIntervalMs`; neither timer keeps the process alive.
 */
export async function openStateStore(
  url: string,
  options: OpenStateStoreOptions,
): Promise<OpenedStateStore> {
  const { logger } = options;
  const stopped = new AbortController();
  const db = createStatePool(url, { applicationName: 'auth-server', logger });
  const revocations = new RevocationStore({
    pool: db,
    maxTokenLifetimeSeconds: options.maxTokenLifetimeSeconds,
  });

  const { firstAttempt } = migrateInBackground(url, logger, stopped.signal);
  const migratedAtStart = await Promise.race([
    firstAttempt,
    sleep(options.migrationWaitMs ?? 10_000, false, { ref: false }),
  ]);
  logger.info(
    { stateStore: withoutPassword(url), migratedAtStart },
    migratedAtStart
      ? 'state store schema up to date'
      : 'state store not ready at start-up; starting anyway: revocations answer 503 until its migrations succeed',
  );

  const prune = setInterval(() => {
    revocations.prune().then(
      (pruned) => {
        if (pruned > 0) logger.info({ pruned }, 'expired revocations pruned');
      },
      (error: unknown) => logger.warn({ err: error }, 'pruning expired revocations failed'),
    );
  }, options.pruneIntervalMs ?? 600_000);
  prune.unref();

  return {
    deps: { db, revocations },
    async close() {
      stopped.abort();
      clearInterval(prune);
      await db.end();
    },
  };
}
