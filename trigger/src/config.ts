import { z } from 'zod';
import { DEFAULT_PASSWORD_POLICY, env, type PasswordPolicy } from '@authstack/shared';
import { POSTGRES_URL } from './adapters/postgres-pool';
import { SQL_IDENTIFIER, SQL_QUALIFIED_NAME } from './adapters/sql-identifier';
import type { MigrationSettings } from './domain/migrate-user';

const identifier = (fallback: string) =>
  z
    .string()
    .regex(SQL_IDENTIFIER, 'must be a plain SQL identifier (letters, digits, _)')
    .default(fallback);

/** An optional column: its name, or `none` when the legacy table has no such column. */
const optionalColumn = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((value) => value === 'none' || SQL_IDENTIFIER.test(value), {
      message: 'must be a plain SQL identifier (letters, digits, _) or "none"',
    })
    .transform((value) => (value === 'none' ? undefined : value));

const postgresUrl = () =>
  z.string().refine((value) => POSTGRES_URL.test(value), {
    message: 'must be a postgres:// or postgresql:// URL',
  });

/**
 * Everything the trigger reads from its environment. Parsed once per cold start;
 * a bad value stops the function (or the local invoke server) with one line naming it.
 */
export const triggerConfigSchema = z
  .object({
    LEGACY_STORE: z.enum(['postgres', 'http']).default('postgres'),
    LEGACY_DATABASE_URL: postgresUrl().optional(),
    /** In AWS: a Secrets Manager secret holding that URL (or RDS JSON credentials). */
    LEGACY_DATABASE_SECRET_ARN: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN')
      .optional(),
    LEGACY_USERS_TABLE: z
      .string()
      .regex(SQL_QUALIFIED_NAME, 'must be a table name, optionally schema-qualified (schema.table)')
      .default('legacy_users'),
    LEGACY_EMAIL_COLUMN: identifier('email'),
    LEGACY_PASSWORD_HASH_COLUMN: identifier('password_hash'),
    LEGACY_NAME_COLUMN: optionalColumn('name'),
    LEGACY_EMAIL_VERIFIED_COLUMN: optionalColumn('email_verified'),
    LEGACY_DISABLED_COLUMN: optionalColumn('disabled'),
    LEGACY_CREATED_AT_COLUMN: optionalColumn('created_at'),
    LEGACY_AUTH_URL: env.url().optional(),
    LEGACY_LOOKUP_URL: env.url().optional(),
    LEGACY_LIST_URL: env.url().optional(),
    LEGACY_TIMEOUT_MS: z.coerce.number().int().min(100).max(4_500).default(3_000),
    MIGRATION_ALLOWED_EMAIL_DOMAINS: env.list(),
    MIGRATION_TRUST_EMAIL: env.boolean(false),
    PASSWORD_MIN_LENGTH: z.coerce
      .number()
      .int()
      .min(6)
      .max(99)
      .default(DEFAULT_PASSWORD_POLICY.MinimumLength),
    PASSWORD_REQUIRE_UPPERCASE: env.boolean(DEFAULT_PASSWORD_POLICY.RequireUppercase),
    PASSWORD_REQUIRE_LOWERCASE: env.boolean(DEFAULT_PASSWORD_POLICY.RequireLowercase),
    PASSWORD_REQUIRE_NUMBERS: env.boolean(DEFAULT_PASSWORD_POLICY.RequireNumbers),
    PASSWORD_REQUIRE_SYMBOLS: env.boolean(DEFAULT_PASSWORD_POLICY.RequireSymbols),
    LOG_LEVEL: env.logLevel(),
  })
  .superRefine((config, context) => {
    if (
      config.LEGACY_STORE === 'postgres' &&
      !config.LEGACY_DATABASE_URL &&
      !config.LEGACY_DATABASE_SECRET_ARN
    ) {
      context.addIssue({
        code: 'custom',
        path: ['LEGACY_DATABASE_URL'],
        message: 'required when LEGACY_STORE=postgres (or set LEGACY_DATABASE_SECRET_ARN)',
      });
    }
    if (config.LEGACY_STORE === 'http' && !config.LEGACY_AUTH_URL) {
      context.addIssue({
        code: 'custom',
        path: ['LEGACY_AUTH_URL'],
        message: 'required when LEGACY_STORE=http',
      });
    }
  });

export type TriggerConfig = z.infer<typeof triggerConfigSchema>;

export function passwordPolicyOf(config: TriggerConfig): PasswordPolicy {
  return {
    MinimumLength: config.PASSWORD_MIN_LENGTH,
    RequireUppercase: config.PASSWORD_REQUIRE_UPPERCASE,
    RequireLowercase: config.PASSWORD_REQUIRE_LOWERCASE,
    RequireNumbers: config.PASSWORD_REQUIRE_NUMBERS,
    RequireSymbols: config.PASSWORD_REQUIRE_SYMBOLS,
  };
}

export function migrationSettingsOf(config: TriggerConfig): MigrationSettings {
  return {
    allowedEmailDomains: config.MIGRATION_ALLOWED_EMAIL_DOMAINS.map((domain) =>
      domain.replace(/^@/, '').toLowerCase(),
    ),
    trustEmail: config.MIGRATION_TRUST_EMAIL,
    passwordPolicy: passwordPolicyOf(config),
    storeTimeoutMs: config.LEGACY_TIMEOUT_MS,
  };
}

/** The local Lambda Invoke API server (not deployed: Lambda itself plays this part in AWS). */
export const invokeServerConfigSchema = z.object({
  TRIGGER_HOST: env.host('127.0.0.1'),
  TRIGGER_PORT: env.port(9230),
  TRIGGER_FUNCTION_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a Lambda function name (letters, digits, - and _)')
    .default('user-migration'),
  /** Like the function's configured timeout in Lambda; Cognito never waits more than 5 s. */
  TRIGGER_TIMEOUT_MS: z.coerce.number().int().min(100).max(900_000).default(5_000),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  LOG_LEVEL: env.logLevel(),
});

export type InvokeServerConfig = z.infer<typeof invokeServerConfigSchema>;
