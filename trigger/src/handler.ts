import type { Context, UserMigrationTriggerEvent } from 'aws-lambda';
import { createLogger, loadConfig } from '@authstack/shared';
import { triggerConfigSchema } from './config';
import { migrateUser } from './domain/migrate-user';
import { createTriggerRuntime } from './runtime';

// Module scope: built once per Lambda execution environment, reused while it is warm.
const config = loadConfig(triggerConfigSchema);
const logger = createLogger({ name: 'user-migration-trigger', level: config.LOG_LEVEL });
const runtime = createTriggerRuntime(config, logger);

/** The Cognito UserMigration trigger (both trigger sources). */
export async function handler(
  event: UserMigrationTriggerEvent,
  context: Pick<Context, 'awsRequestId'>,
): Promise<UserMigrationTriggerEvent> {
  return migrateUser(event, {
    users: runtime.users,
    settings: runtime.settings,
    logger: logger.child({ awsRequestId: context.awsRequestId }),
  });
}

/** Releases the legacy database connections; for the local invoke server's shutdown. */
export function closeHandlerResources(): Promise<void> {
  return runtime.close();
}
