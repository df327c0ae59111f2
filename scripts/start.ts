/**
 * `npm start`: the whole stack on this machine, no AWS account and no Docker.
 * Configuration (all optional): see `scripts/stack/config.ts` and the README.
 */
import { ConfigError, createLogger, logProcessWarnings } from '@authstack/shared';
import { stackConfigFromEnv } from './stack/config';
import { LocalStack, portClaims, StackStoppedError } from './stack/local-stack';
import { readyBanner } from './stack/banner';
import { assertPortsFree, PortInUseError } from './stack/ports';

/**
 * Ctrl-C, a stop request, and the terminal closing all stop the stack in order. A service
 * that dies is restarted (see `Supervisor`); only one that cannot be kept running stops it.
 */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function fail(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

async function main(): Promise<void> {
  let config;
  try {
    config = stackConfigFromEnv();
    await assertPortsFree(portClaims(config));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PortInUseError) return fail(error.message);
    throw error;
  }

  const logger = createLogger({ name: 'stack', level: config.logLevel });
  logProcessWarnings(logger);
  const stack = new LocalStack(config, (line) => process.stdout.write(`${line}\n`), logger);

  let shuttingDown = false;
  const shutdown = async (reason: string, exitCode: number): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ reason }, 'stopping the stack');
    await stack.stop();
    logger.info('stack stopped');
    process.exitCode = exitCode;
    for (const signal of SIGNALS) process.off(signal, onSignal);
  };
  const onSignal = (signal: NodeJS.Signals): void => void shutdown(signal, 0);
  process.once('exit', () => stack.kill());
  for (const signal of SIGNALS) process.on(signal, onSignal);

  void stack.gaveUp.then(({ exit, message }) => {
    process.stderr.write(`${message}; stopping the stack.\n`);
    void shutdown(`${exit.name} could not be kept running`, 1);
  });

  const startedAt = Date.now();
  try {
    const ready = await stack.start();
    logger.info({ ...ready, ms: Date.now() - startedAt }, 'stack ready');
    process.stdout.write(readyBanner(config, ready));
  } catch (error) {
    if (error instanceof StackStoppedError) return;
    const reason = String((error as Error).message ?? error).split('\n')[0];
    logger.error({ reason }, 'stack failed to start');
    process.stderr.write(`The stack could not start: ${reason}\n`);
    await shutdown('start failed', 1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${String(error)}\n`);
  process.exit(1);
});
