import { z } from 'zod';
import { env, loadConfig } from '@authstack/shared';
import {
  DEFAULT_PASSWORD_HASH_COST,
  MAX_PASSWORD_HASH_COST,
  MIN_PASSWORD_HASH_COST,
} from './domain/passwords';

export const configSchema = z
  .object({
    LOCAL_POOL_HOST: env.host('127.0.0.1'),
    /** 0 picks a free port; the "listening" log line then names the real URL. */
    LOCAL_POOL_PORT: env.port(9229),
    LOCAL_POOL_DATA_DIR: z.string().min(1).default('.local/pool'),
    /** Base of every token's `iss`; defaults to the URL the pool listens on. */
    LOCAL_POOL_ISSUER_BASE: env.url().optional(),
    /** Lambda Invoke API base URL used for the UserMigration trigger; unset = no trigger calls. */
    LOCAL_POOL_LAMBDA_ENDPOINT: env.url().optional(),
    AWS_REGION: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like an AWS region, e.g. us-east-1')
      .default('us-east-1'),
    /** Cognito's lockout after repeated failed sign-ins; off by default so tests are not slowed. */
    LOCAL_POOL_SIGNIN_LOCKOUT: env.boolean(false),
    /** Challenge session lifetime in seconds for every client (tests); unset = each client's AuthSessionValidity. */
    LOCAL_POOL_AUTH_SESSION_SECONDS: z.coerce.number().int().min(1).max(86_400).optional(),
    /** Pause between batches of 1000 rows of a user import job (tests that stop a job mid-way); 0 = none. */
    LOCAL_POOL_IMPORT_BATCH_PAUSE_MS: z.coerce.number().int().min(0).max(600_000).default(0),
    /**
     * scrypt's cost for stored passwords, as log2(N): each sign-in spends one. Test harnesses
     * lower it; hashes keep their own parameters, so a change never breaks a stored one.
     */
    LOCAL_POOL_PASSWORD_HASH_COST: z.coerce
      .number()
      .int()
      .min(MIN_PASSWORD_HASH_COST)
      .max(MAX_PASSWORD_HASH_COST)
      .default(DEFAULT_PASSWORD_HASH_COST),
    LOG_LEVEL: env.logLevel(),
  })
  .transform((raw) => ({
    host: raw.LOCAL_POOL_HOST,
    port: raw.LOCAL_POOL_PORT,
    dataDir: raw.LOCAL_POOL_DATA_DIR,
    issuerBase: raw.LOCAL_POOL_ISSUER_BASE?.replace(/\/+$/, ''),
    lambdaEndpoint: raw.LOCAL_POOL_LAMBDA_ENDPOINT,
    region: raw.AWS_REGION,
    signInLockout: raw.LOCAL_POOL_SIGNIN_LOCKOUT,
    authSessionSeconds: raw.LOCAL_POOL_AUTH_SESSION_SECONDS,
    importBatchPauseMs: raw.LOCAL_POOL_IMPORT_BATCH_PAUSE_MS,
    passwordHashCost: raw.LOCAL_POOL_PASSWORD_HASH_COST,
    logLevel: raw.LOG_LEVEL,
  }));

export type LocalPoolConfig = z.infer<typeof configSchema>;

export function readConfig(
  source: Record<string, string | undefined> = process.env,
): LocalPoolConfig {
  return loadConfig(configSchema, source);
}
