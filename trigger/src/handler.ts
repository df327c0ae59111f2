import type { Context, UserMigrationTriggerEvent } from 'aws-lambda';
import { createLogger, loadConfig } from '@authstack/shared';
import { triggerConfigSchema } from './config';
import { migrateUser } from './domain/migrate-user';
import { createTriggerRuntime, type TriggerRuntime } from './runtime';

// Module scope: built once per Lambda execution environment, reused while it is warm.
const config = loadConfig(triggerConfigSchema);
const logger = createLogger({ name: 'user-migration-trigger', level: config.LOG_LEVEL });
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

/** The Cognito UserMigration trigger (both trigger sources). */
export async function handler(
  event: UserMigrationTriggerEvent,
  context: Pick<Context, 'awsRequestId'>,
): Promise<UserMigrationTriggerEvent> {
  const { users, settings } = await currentRuntime();
  return migrateUser(event, {
    users,
    settings,
    logger: logger.child({ awsRequestId: context.awsRequestId }),
  });
}

/** Releases the legacy database connections; for the local invoke server's shutdown. */
export async function closeHandlerResources(): Promise<void> {
  const started = runtime;
  runtime = undefined;
  await (await started?.catch(() => undefined))?.close();
}
