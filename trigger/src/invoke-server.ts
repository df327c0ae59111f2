import { createLogger, Lifecycle, loadConfig, logProcessWarnings, serve } from '@authstack/shared';
import { invokeServerConfigSchema } from './config';
import { closeHandlerResources, handler, legacyStoreReady } from './handler';
import { buildInvokeApp, functionArnOf } from './invoke/app';

/**
 * Runs the trigger locally behind the Lambda Invoke API, so the local user pool (or
 * anything using @aws-sdk/client-lambda with `endpoint` set here) invokes the real handler.
 */
const config = loadConfig(invokeServerConfigSchema);
const logger = createLogger({ name: 'trigger-invoke-server', level: config.LOG_LEVEL });
logProcessWarnings(logger);

async function main(): Promise<void> {
  const app = buildInvokeApp({
    functionName: config.TRIGGER_FUNCTION_NAME,
    region: config.AWS_REGION,
    timeoutMs: config.TRIGGER_TIMEOUT_MS,
    invoke: handler,
    ready: legacyStoreReady,
    logger,
  });
  const { url } = await serve(app, {
    host: config.TRIGGER_HOST,
    port: config.TRIGGER_PORT,
    logger,
    lifecycle: new Lifecycle(),
    onClose: closeHandlerResources,
  });
  logger.info(
    {
      functionName: config.TRIGGER_FUNCTION_NAME,
      functionArn: functionArnOf(config.AWS_REGION, config.TRIGGER_FUNCTION_NAME),
      endpoint: url,
    },
    'trigger invoke server ready',
  );
}

main().catch((error: unknown) => {
  logger.fatal(
    { errorType: (error as Error).name, errorMessage: (error as Error).message },
    'invoke server failed to start',
  );
  process.exitCode = 1;
});
