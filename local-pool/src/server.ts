import path from 'node:path';
import { createLogger, Lifecycle, logProcessWarnings, serve } from '@authstack/shared';
import { createLambdaInvoker } from './adapters/lambda-invoker';
import { buildApp } from './app';
import { readConfig } from './config';
import type { PoolContext } from './domain/context';
import { ImportJobRunner } from './domain/import-jobs';
import { KeyStore } from './domain/keys';
import { PasswordHasher } from './domain/passwords';
import { SignInLockout } from './domain/sign-in-lockout';
import { openDatabase } from './storage/database';
import { PoolStore } from './storage/store';

const PRUNE_INTERVAL_MS = 10 * 60_000;

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({ name: 'local-pool', level: config.logLevel });
  logProcessWarnings(logger);
  const dataDir = path.resolve(config.dataDir);
  const store = new PoolStore(openDatabase(dataDir));
  const keys = KeyStore.open(dataDir);
  let issuerBase = config.issuerBase ?? '';
  let localUrl = '';
  const lambda = config.lambdaEndpoint
    ? createLambdaInvoker({ endpoint: config.lambdaEndpoint, region: config.region, logger })
    : undefined;
  const context: PoolContext = {
    store,
    keys,
    passwords: new PasswordHasher(config.passwordHashCost),
    clock: Date.now,
    region: config.region,
    issuerBase: () => issuerBase,
    migration: lambda,
    triggers: lambda,
    logger,
    lockout: new SignInLockout({ enabled: config.signInLockout }, Date.now),
    ...(config.authSessionSeconds ? { authSessionSeconds: config.authSessionSeconds } : {}),
    localUrl: () => localUrl,
  };
  context.imports = new ImportJobRunner(context, { batchPauseMs: config.importBatchPauseMs });
  const lifecycle = new Lifecycle();
  const app = buildApp({ context, isReady: () => !lifecycle.shuttingDown });
  const prune = () => {
    const removed = store.prune(Date.now());
    if (removed > 0) logger.info({ removed }, 'pruned expired refresh tokens and sessions');
  };
  prune();
  const timer = setInterval(prune, PRUNE_INTERVAL_MS);
  timer.unref();
  const running = await serve(app, {
    host: config.host,
    port: config.port,
    logger,
    lifecycle,
    onClose: () => {
      clearInterval(timer);
      context.imports?.close();
      store.close();
    },
  });
  issuerBase ||= running.url;
  localUrl = running.url;
  // Jobs a restart interrupted resume from their last committed batch.
  context.imports.wake();
  logger.info(
    {
      url: running.url,
      issuerBase,
      dataDir,
      lambdaEndpoint: config.lambdaEndpoint ?? null,
      outbox: `${running.url}/_local/messages?to=<address>`,
    },
    'local pool ready',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`local-pool failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
