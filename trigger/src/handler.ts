import type { Context } from 'aws-lambda';
import { createLogger, loadConfig } from '@authstack/shared';
import { triggerConfigSchema } from './config';
import {
  dispatchTrigger,
  setUpFailure,
  triggerNameOf,
  type CognitoTriggerEvent,
} from './dispatch-trigger';
import { legacyStoreReachable } from './domain/legacy-store-call';
import { createTriggerMetrics } from './metrics/invocation-metrics';
import { createTriggerRuntime, type TriggerRuntime } from './runtime';

// Module scope: built once per Lambda execution environment, reused while it is warm.
const config = loadConfig(triggerConfigSchema);
const logger = createLogger({ name: 'user-migration-trigger', level: config.LOG_LEVEL });
const metrics = createTriggerMetrics({ logger });
let runtime: Promise<TriggerRuntime> | undefined;

/** The runtime of this execution environment; a failed start (secret unreadable) is retried. */
function currentRuntime(): Promise<TriggerRuntime> {
  runtime ??= createTriggerRuntime(config, logger).catch((error: unknown) => {
    runtime = undefined;
    logger.error({ err: error }, 'the legacy user store could not be set up');
    throw error;
  });
  return runtime;
}

/**
 * The pool's UserMigration and PreSignUp trigger, one function for both (why: the
 * README's "One function for both triggers"), dispatching on `triggerSource`. Each
 * invocation ends with one line of CloudWatch metrics (the README's "Metrics").
 */
export async function handler(
  event: CognitoTriggerEvent,
  context: Pick<Context, 'awsRequestId'>,
): Promise<CognitoTriggerEvent> {
  const { awsRequestId } = context;
  const invocation = {
    trigger: triggerNameOf(event),
    awsRequestId,
    triggerSource: event?.triggerSource,
  };
  return metrics.record(invocation, async (legacyStoreMetrics) => {
    const { users, settings } = await currentRuntime().catch((error: unknown) => {
      throw setUpFailure(event, error);
    });
    return dispatchTrigger(event, {
      users,
      settings,
      logger: logger.child({ awsRequestId }),
      metrics: legacyStoreMetrics,
    });
  });
}

/** The longest a readiness check waits for the legacy store (or `LEGACY_TIMEOUT_MS`, if shorter). */
const READINESS_TIMEOUT_MS = 1_000;

/**
 * The local invoke server's readiness: true while the legacy store answers within a short
 * deadline; false while it cannot be reached or set up (its secret unreadable). Lambda has
 * no such probe: there a store that is down shows as 503s at the auth-server.
 */
export async function legacyStoreReady(): Promise<boolean> {
  const started = await currentRuntime().catch(() => undefined);
  if (!started) return false;
  return legacyStoreReachable(
    started.users,
    Math.min(READINESS_TIMEOUT_MS, config.LEGACY_TIMEOUT_MS),
    logger.child({ check: 'readiness' }),
  );
}

/** Releases the legacy database connections; for the local invoke server's shutdown. */
export async function closeHandlerResources(): Promise<void> {
  const started = runtime;
  runtime = undefined;
  await (await started?.catch(() => undefined))?.close();
}
