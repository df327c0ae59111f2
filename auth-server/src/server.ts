// First: tracing must start before the modules it instruments load (see ./tracing).
import { tracing } from './tracing';
import {
  Lifecycle,
  createLogger,
  logProcessWarnings,
  reportListenFailure,
  serve,
} from '@authstack/shared';
import { createCognitoClient } from './adapters/cognito-client';
import { CognitoUserPool } from './adapters/cognito-user-pool';
import { openStateStore } from './adapters/state-store';
import { buildApp } from './app';
import { appSettingsFrom, loadAuthServerConfig } from './config';
import { POOL_MFA_CONFIGURATION } from './domain/multi-factor';
import { PoolStatus } from './domain/pool-status';
import { AuthServerMetrics } from './metrics';

async function main(): Promise<void> {
  const config = loadAuthServerConfig();
  const logger = createLogger({ name: 'auth-server', level: config.LOG_LEVEL });
  logProcessWarnings(logger);
  tracing.logTo(logger);
  const metrics = config.METRICS_ENABLED ? new AuthServerMetrics() : undefined;
  const client = createCognitoClient({
    region: config.AWS_REGION,
    endpoint: config.COGNITO_ENDPOINT,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    observer: metrics,
  });
  const pool = new CognitoUserPool({
    client,
    userPoolId: config.USER_POOL_ID,
    clientId: config.USER_POOL_CLIENT_ID,
    clientSecret: config.USER_POOL_CLIENT_SECRET,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
  });
  const status = new PoolStatus(pool);
  const lifecycle = new Lifecycle();
  const stateStore = config.STATE_DATABASE_URL
    ? await openStateStore(config.STATE_DATABASE_URL, {
        logger,
        maxTokenLifetimeSeconds: config.MAX_TOKEN_LIFETIME_SECONDS,
      })
    : undefined;
  if (!stateStore) {
    logger.warn(
      'STATE_DATABASE_URL unset: revocations are not recorded (sign-out reaches the user pool only; resource-servers keep accepting old tokens until they expire)',
    );
  }
  const app = buildApp({
    pool,
    stateStore: stateStore?.deps,
    status,
    logger,
    lifecycle,
    settings: appSettingsFrom(config),
    metrics,
  });

  const reachable = await status.check();
  logger.info(
    {
      userPoolId: config.USER_POOL_ID,
      endpoint: config.COGNITO_ENDPOINT ?? 'AWS',
      reachable,
      passwordPolicy: status.passwordPolicySource,
      signUpConfirmation: config.SIGNUP_CONFIRMATION,
      mfaMode: config.MFA_MODE,
      poolMfaConfiguration: status.mfaConfiguration ?? 'unknown',
    },
    reachable
      ? 'user pool reachable'
      : 'user pool unreachable at start-up; /readyz is 503 until it answers',
  );
  const expectedMfa = POOL_MFA_CONFIGURATION[config.MFA_MODE];
  if (status.mfaConfiguration !== undefined && status.mfaConfiguration !== expectedMfa) {
    logger.warn(
      { mfaMode: config.MFA_MODE, poolMfaConfiguration: status.mfaConfiguration, expectedMfa },
      'MFA_MODE does not match the user pool’s MfaConfiguration: the pool decides who is asked for a code; set the pool where it is created (bootstrap or CDK)',
    );
  }

  try {
    await serve(app, {
      host: config.HOST,
      port: config.PORT,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
      logger,
      lifecycle,
      onClose: async () => {
        client.destroy();
        await stateStore?.close();
        await tracing.shutdown();
      },
    });
  } catch (error) {
    reportListenFailure(logger, error, { host: config.HOST, port: config.PORT });
    await stateStore?.close();
  }
}

void main();
