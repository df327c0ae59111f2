// First: tracing must start before the modules it instruments load (see ./tracing).
import { tracing } from './tracing';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createLogger,
  Lifecycle,
  loadConfig,
  logProcessWarnings,
  reportListenFailure,
  serve,
  type Logger,
} from '@authstack/shared';
import { httpJwksSource } from './adapters/http-jwks-source';
import { startRevocations } from './adapters/state-store-revocations';
import { buildApp } from './app';
import { configSchema } from './config';
import { TokenVerifier } from './domain/token-verifier';
import { ResourceServerMetrics } from './metrics';

/** How long start-up waits for the user pool's JWKS (e.g. while the local pool starts). */
const KEYS_STARTUP_DEADLINE_MS = 60_000;

async function loadKeys(verifier: TokenVerifier, logger: Logger): Promise<void> {
  const deadline = Date.now() + KEYS_STARTUP_DEADLINE_MS;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await verifier.load();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      logger.warn({ attempt }, 'signing keys not loaded yet; retrying');
      await sleep(Math.min(5_000, 500 * attempt));
    }
  }
}

async function main(): Promise<void> {
  const config = loadConfig(configSchema);
  const logger = createLogger({ name: 'resource-server', level: config.logLevel });
  logProcessWarnings(logger);
  tracing.logTo(logger);
  const { auth } = config;
  const metrics = config.metricsEnabled ? new ResourceServerMetrics() : undefined;
  const verifier = new TokenVerifier({
    ...auth,
    source: httpJwksSource({
      url: auth.jwksUrl,
      allowInsecureHttp: auth.allowInsecureJwks,
      timeoutMs: auth.jwksTimeoutMs,
    }),
    logger,
    observer: metrics?.verifierObserver,
  });
  logger.info(
    {
      issuer: auth.issuer,
      jwksUrl: auth.jwksUrl,
      acceptedTokenUse: auth.acceptedTokenUse,
      tokenCache: auth.tokenCacheMax > 0 && auth.tokenCacheTtlSeconds > 0,
    },
    'starting',
  );
  // Not awaited: protected routes fail closed (503) until the first full load.
  const revocations = startRevocations(config.revocations, logger);
  try {
    await loadKeys(verifier, logger);
  } catch (error) {
    logger.fatal({ err: error, jwksUrl: auth.jwksUrl }, 'could not load the signing keys; exiting');
    logger.flush(() => process.exit(1));
    return;
  }
  const lifecycle = new Lifecycle();
  const app = buildApp({
    verifier,
    revocations: revocations.check,
    logger,
    lifecycle,
    stage: config.stage,
    corsOrigins: config.corsOrigins,
    metrics,
  });
  try {
    await serve(app, {
      host: config.host,
      port: config.port,
      requestTimeoutMs: config.requestTimeoutMs,
      logger,
      lifecycle,
      onClose: async () => {
        await revocations.stop();
        await tracing.shutdown();
      },
    });
  } catch (error) {
    reportListenFailure(logger, error, { host: config.host, port: config.port });
    await revocations.stop();
  }
}

void main();
