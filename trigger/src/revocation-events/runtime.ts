import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Logger } from '@authstack/shared';
import { createStatePool } from '@authstack/shared/state-store';
import { cognitoUserLookup } from './cognito-user-lookup';
import type { RevocationEventsConfig } from './config';
import type { RevocationEventDeps } from './record-revocation';
import { readStateDatabaseUrl } from './state-database-url';
import { stateStoreRecorder } from './state-store-recorder';

export interface RevocationEventsRuntime {
  deps: Omit<RevocationEventDeps, 'logger'>;
  /** Closes the store connection and the Cognito client. */
  close(): Promise<void>;
}

/**
 * The real dependencies: one connection to the state store (its URL read from Secrets
 * Manager unless `STATE_DATABASE_URL` is set) and a Cognito client for alias look-ups
 * (`cognito` replaces it in tests, e.g. the local pool's client).
 */
export async function createRevocationEventsRuntime(
  config: RevocationEventsConfig,
  logger: Logger,
  options: { cognito?: CognitoIdentityProviderClient } = {},
): Promise<RevocationEventsRuntime> {
  const timeoutMs = config.STATE_DATABASE_TIMEOUT_MS;
  const url =
    config.STATE_DATABASE_URL ??
    (await readStateDatabaseUrl({
      secretArn: config.STATE_DATABASE_SECRET_ARN ?? '',
      caFile: config.STATE_DATABASE_CA_FILE,
      timeoutMs,
    }));
  const pool = createStatePool(url, {
    applicationName: 'revocation-events',
    logger,
    timeoutMs,
    max: 1,
  });
  const cognito = options.cognito ?? new CognitoIdentityProviderClient({ maxAttempts: 3 });
  return {
    deps: {
      userPoolId: config.USER_POOL_ID,
      revocations: stateStoreRecorder(pool, {
        maxTokenLifetimeSeconds: config.MAX_TOKEN_LIFETIME_SECONDS,
      }),
      users: cognitoUserLookup(cognito, config.USER_POOL_ID, timeoutMs),
    },
    async close() {
      if (!options.cognito) cognito.destroy();
      await pool.end();
    },
  };
}
