import type { Logger } from '@authstack/shared';
import {
  migrateInBackground,
  RevocationFeed,
  withoutPassword,
} from '@authstack/shared/state-store';
import type { RevocationConfig } from '../config';
import { RevocationCheck } from '../domain/revocation-check';
import { RevocationMonitor } from '../domain/revocation-monitor';

/** The revocation check of a running server and how to stop what keeps it current. */
export interface RunningRevocations {
  check: RevocationCheck;
  stop(): Promise<void>;
}

/** The longest the feed waits for the first migration attempt before it starts anyway. */
const FEED_WAITS_FOR_MIGRATION_MS = 5_000;

/**
 * Starts keeping the live revocations current from the state store, without waiting for
 * it: until the first full load a fail-closed check refuses protected requests (503), and
 * the server still starts when the store is down. Without a URL, checks are off.
 */
export function startRevocations(config: RevocationConfig, logger: Logger): RunningRevocations {
  const { databaseUrl } = config;
  if (databaseUrl === undefined) {
    logger.warn(
      { revocations: 'off' },
      'STATE_DATABASE_URL is not set: revocation checks are off; signed-out tokens pass until they expire',
    );
    return { check: RevocationCheck.off(), stop: async () => undefined };
  }
  const feed = new RevocationFeed({
    databaseUrl,
    logger,
    applicationName: 'resource-server',
    heartbeatMs: config.heartbeatMs,
  });
  const check = new RevocationCheck({
    copy: feed,
    maxStalenessMs: config.maxStalenessMs,
    failOpen: config.failOpen,
  });
  const monitor = new RevocationMonitor({ check, logger });
  const stopping = new AbortController();
  logger.info(
    {
      stateStore: withoutPassword(databaseUrl),
      mode: check.mode,
      maxStalenessMs: config.maxStalenessMs,
    },
    'revocation checks on',
  );
  // The feed waits for the first migration attempt, so that a new store has its table
  // first, but not for long: an attempt can hang on a store that drops packets.
  let feedStarted = false;
  const startFeed = (): void => {
    if (feedStarted || stopping.signal.aborted) return;
    feedStarted = true;
    void feed.start();
  };
  const feedDeadline = setTimeout(startFeed, FEED_WAITS_FOR_MIGRATION_MS);
  feedDeadline.unref();
  void migrateInBackground(databaseUrl, logger, stopping.signal).firstAttempt.then(startFeed);
  monitor.start();
  return {
    check,
    async stop() {
      stopping.abort();
      clearTimeout(feedDeadline);
      monitor.stop();
      await feed.stop();
    },
  };
}
