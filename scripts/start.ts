/**
 * `npm start`: the whole stack on this machine, no AWS account and no Docker.
 * Configuration (all optional): see `scripts/stack/config.ts` and the README.
 */
import {
  ConfigError,
  createLogger,
  logProcessWarnings,
  SHIPPED_NODE_MAJOR,
  takeOverSdkRuntimeNotice,
} from '@authstack/shared';
import { stackConfigFromEnv } from './stack/config';
import { LocalStack, portClaims, StackStoppedError } from './stack/local-stack';
import { readyBanner } from './stack/banner';
import { chooseLogFormat, StackOutput } from './stack/output';
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

/** Synchronous on Linux for a terminal, a pipe and a file: lines keep their order, none is lost at exit. */
function writeStdout(text: string): void {
  if (!process.stdout.destroyed) process.stdout.write(text);
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

  const output = new StackOutput({
    format: chooseLogFormat(config.logFormat, process.stdout.isTTY === true),
    write: writeStdout,
  });
  const logger = createLogger({
    name: 'stack',
    level: config.logLevel,
    destination: output.destination,
  });
  logProcessWarnings(logger);
  // The AWS SDK's Node notice, once for the whole stack (the services inherit the setting).
  const runtimeNotice = takeOverSdkRuntimeNotice();
  if (runtimeNotice) {
    logger.warn({ node: process.version, needed: `>=${SHIPPED_NODE_MAJOR}` }, runtimeNotice);
  }
  const stack = new LocalStack(config, output.serviceLine, logger);

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
  // Its reader gone (`npm start | head`), the stack stops as it does when the terminal closes.
  process.stdout.on('error', () => void shutdown('stdout closed', 0));

  void stack.gaveUp.then(({ exit, message }) => {
    process.stderr.write(`${message}; stopping the stack.\n`);
    void shutdown(`${exit.name} could not be kept running`, 1);
  });

  const startedAt = Date.now();
  try {
    const ready = await stack.start();
    logger.info({ ...ready, ms: Date.now() - startedAt }, 'stack ready');
    output.banner(readyBanner(config, ready));
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
