import type { Logger } from '@authstack/shared';
import { HttpLegacyUserSource } from './adapters/http-legacy-user-source';
import { readLegacyDatabaseUrl } from './adapters/legacy-database-secret';
import { createLegacyPool } from './adapters/postgres-pool';
import { PostgresLegacyUserSource } from './adapters/postgres-legacy-user-source';
import { migrationSettingsOf, type TriggerConfig } from './config';
import type { LegacyUserDirectory, LegacyUserSource } from './domain/legacy-user-source';
import type { MigrationSettings } from './domain/migrate-user';

export interface TriggerRuntime {
  users: LegacyUserSource & LegacyUserDirectory;
  settings: MigrationSettings;
  /** Closes the legacy database pool (the local invoke server calls it on shutdown). */
  close(): Promise<void>;
}

/**
 * Builds the legacy user store chosen by `LEGACY_STORE` and the migration settings.
 * With `LEGACY_DATABASE_SECRET_ARN` (and no URL) the URL is read from Secrets Manager first.
 */
export async function createTriggerRuntime(
  config: TriggerConfig,
  logger: Logger,
): Promise<TriggerRuntime> {
  const settings = migrationSettingsOf(config);
  if (config.LEGACY_STORE === 'http') {
    if (!config.LEGACY_LOOKUP_URL) {
      logger.info(
        'LEGACY_LOOKUP_URL not set: the forgot-password flow migrates nobody and PreSignUp refuses every sign-up',
      );
    }
    const users = new HttpLegacyUserSource({
      authUrl: config.LEGACY_AUTH_URL ?? '',
      ...(config.LEGACY_LOOKUP_URL ? { lookupUrl: config.LEGACY_LOOKUP_URL } : {}),
      ...(config.LEGACY_LIST_URL ? { listUrl: config.LEGACY_LIST_URL } : {}),
      timeoutMs: config.LEGACY_TIMEOUT_MS,
    });
    return { users, settings, close: async () => undefined };
  }
  const url =
    config.LEGACY_DATABASE_URL ??
    (await readLegacyDatabaseUrl(
      config.LEGACY_DATABASE_SECRET_ARN ?? '',
      config.LEGACY_TIMEOUT_MS,
    ));
  const pool = createLegacyPool(url, config.LEGACY_TIMEOUT_MS, logger);
  const users = new PostgresLegacyUserSource(pool, {
    table: config.LEGACY_USERS_TABLE,
    emailColumn: config.LEGACY_EMAIL_COLUMN,
    passwordHashColumn: config.LEGACY_PASSWORD_HASH_COLUMN,
    nameColumn: config.LEGACY_NAME_COLUMN,
    emailVerifiedColumn: config.LEGACY_EMAIL_VERIFIED_COLUMN,
    disabledColumn: config.LEGACY_DISABLED_COLUMN,
    createdAtColumn: config.LEGACY_CREATED_AT_COLUMN,
  });
  return { users, settings, close: () => pool.end() };
}
