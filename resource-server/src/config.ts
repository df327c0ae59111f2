import { z } from 'zod';
import { env } from '@authstack/shared';
import { STATE_DATABASE_URL_PATTERN } from '@authstack/shared/state-store';

const PLAIN_HTTP = /^http:\/\//i;

/**
 * The resource-server's environment, parsed once at start-up. For real Cognito the issuer
 * and JWKS URL are derived from the pool id; for the local pool set `COGNITO_ENDPOINT`
 * (or `TOKEN_ISSUER`/`JWKS_URL`) and `ALLOW_INSECURE_JWKS=true`. Without `STATE_DATABASE_URL`
 * revocations (sign-out, password change, group removal) are not checked.
 */
export const configSchema = z
  .object({
    HOST: env.host('127.0.0.1'),
    PORT: env.port(4000),
    STAGE: env.stage(),
    AWS_REGION: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as us-east-1')
      .optional(),
    USER_POOL_ID: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+_[0-9A-Za-z]+$/, 'a user pool id such as us-east-1_AbC123xyz'),
    USER_POOL_CLIENT_ID: env
      .list()
      .refine((ids) => ids.length > 0, 'at least one app client id (comma-separated)'),
    COGNITO_ENDPOINT: env.url().optional(),
    TOKEN_ISSUER: env.url().optional(),
    JWKS_URL: env.url().optional(),
    ALLOW_INSECURE_JWKS: env.boolean(false),
    ACCEPTED_TOKEN_USE: z.enum(['id', 'access', 'both']).default('both'),
    CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
    TOKEN_CACHE_MAX: env.nonNegativeInt(10_000),
    TOKEN_CACHE_TTL_SECONDS: env.nonNegativeInt(300),
    JWKS_REFETCH_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    JWKS_MAX_AGE_SECONDS: z.coerce.number().int().min(1).default(300),
    JWKS_STALE_IF_ERROR_SECONDS: env.nonNegativeInt(3600),
    JWKS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
    STATE_DATABASE_URL: z
      .string()
      .regex(STATE_DATABASE_URL_PATTERN, 'a postgres:// URL')
      .optional(),
    REVOCATION_MAX_STALENESS_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    REVOCATION_FAIL_OPEN: env.boolean(false),
    REVOCATION_HEARTBEAT_MS: z.coerce.number().int().min(100).max(30_000).default(1000),
    /** Origins (comma-separated) whose scripts may call the API cross-origin (CORS). Default: none. */
    CORS_ORIGINS: env.origins(),
    REQUEST_TIMEOUT_MS: env.requestTimeoutMs(),
    /** `GET /metrics` (Prometheus text format) and the counting behind it; false: neither. */
    METRICS_ENABLED: env.boolean(true),
    LOG_LEVEL: env.logLevel(),
  })
  .transform((raw, ctx) => {
    const region = raw.AWS_REGION ?? raw.USER_POOL_ID.split('_')[0];
    const issuer = (
      raw.TOKEN_ISSUER ??
      (raw.COGNITO_ENDPOINT
        ? `${raw.COGNITO_ENDPOINT.replace(/\/+$/, '')}/${raw.USER_POOL_ID}`
        : `https://cognito-idp.${region}.amazonaws.com/${raw.USER_POOL_ID}`)
    ).replace(/\/+$/, '');
    const jwksUrl = raw.JWKS_URL ?? `${issuer}/.well-known/jwks.json`;
    if (!raw.ALLOW_INSECURE_JWKS && PLAIN_HTTP.test(jwksUrl)) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWKS_URL'],
        message: `${jwksUrl} is not https; set ALLOW_INSECURE_JWKS=true only for a local user pool`,
      });
      return z.NEVER;
    }
    if (raw.JWKS_REFETCH_INTERVAL_SECONDS > raw.JWKS_MAX_AGE_SECONDS) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWKS_REFETCH_INTERVAL_SECONDS'],
        message: 'must not exceed JWKS_MAX_AGE_SECONDS',
      });
      return z.NEVER;
    }
    // A live copy is proved current once per heartbeat; it must never look stale between two.
    if (raw.REVOCATION_HEARTBEAT_MS * 2 > raw.REVOCATION_MAX_STALENESS_SECONDS * 1000) {
      ctx.addIssue({
        code: 'custom',
        path: ['REVOCATION_HEARTBEAT_MS'],
        message: 'must be at most half of REVOCATION_MAX_STALENESS_SECONDS',
      });
      return z.NEVER;
    }
    return {
      host: raw.HOST,
      port: raw.PORT,
      stage: raw.STAGE,
      corsOrigins: raw.CORS_ORIGINS,
      requestTimeoutMs: raw.REQUEST_TIMEOUT_MS,
      metricsEnabled: raw.METRICS_ENABLED,
      logLevel: raw.LOG_LEVEL,
      auth: {
        issuer,
        jwksUrl,
        allowInsecureJwks: raw.ALLOW_INSECURE_JWKS,
        clientIds: raw.USER_POOL_CLIENT_ID,
        acceptedTokenUse: raw.ACCEPTED_TOKEN_USE,
        clockSkewSeconds: raw.CLOCK_SKEW_SECONDS,
        tokenCacheMax: raw.TOKEN_CACHE_MAX,
        tokenCacheTtlSeconds: raw.TOKEN_CACHE_TTL_SECONDS,
        jwksRefetchIntervalSeconds: raw.JWKS_REFETCH_INTERVAL_SECONDS,
        jwksMaxAgeSeconds: raw.JWKS_MAX_AGE_SECONDS,
        jwksStaleIfErrorSeconds: raw.JWKS_STALE_IF_ERROR_SECONDS,
        jwksTimeoutMs: raw.JWKS_TIMEOUT_MS,
      },
      revocations: {
        /** Unset: revocation checks are off. Holds a password: never log it whole. */
        databaseUrl: raw.STATE_DATABASE_URL,
        maxStalenessMs: raw.REVOCATION_MAX_STALENESS_SECONDS * 1000,
        failOpen: raw.REVOCATION_FAIL_OPEN,
        heartbeatMs: raw.REVOCATION_HEARTBEAT_MS,
      },
    };
  });

export type Config = z.infer<typeof configSchema>;
export type AuthConfig = Config['auth'];
export type RevocationConfig = Config['revocations'];
