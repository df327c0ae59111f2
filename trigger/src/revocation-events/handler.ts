import type { Context } from 'aws-lambda';
import { createLogger, loadConfig } from '@authstack/shared';
import { revocationEventsConfigSchema } from './config';
import { recordRevocationEvent, type RevocationOutcome } from './record-revocation';
import { createRevocationEventsRuntime, type RevocationEventsRuntime } from './runtime';

// Module scope: built once per Lambda execution environment, reused while it is warm.
const config = loadConfig(revocationEventsConfigSchema);
const logger = createLogger({ name: 'revocation-events', level: config.LOG_LEVEL });
let runtime: Promise<RevocationEventsRuntime> | undefined;

/** The runtime of this execution environment; a failed start (secret unreadable) is retried. */
function currentRuntime(): Promise<RevocationEventsRuntime> {
  runtime ??= createRevocationEventsRuntime(config, logger).catch((error: unknown) => {
    runtime = undefined;
    logger.error({ err: error }, 'the state store could not be set up');
    throw error;
  });
  return runtime;
}

/**
 * EventBridge target for the pool's CloudTrail events of AdminUserGlobalSignOut,
 * AdminDisableUser, AdminDeleteUser and AdminRemoveUserFromGroup: records the revocation
 * in the state store. A thrown error makes Lambda retry the (asynchronous) invocation.
 */
export async function handler(
  event: unknown,
  context: Pick<Context, 'awsRequestId'>,
): Promise<RevocationOutcome> {
  const { deps } = await currentRuntime();
  return recordRevocationEvent(event, {
    ...deps,
    logger: logger.child({ awsRequestId: context.awsRequestId }),
  });
}
