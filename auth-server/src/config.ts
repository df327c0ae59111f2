import { env, loadConfig, MFA_MODES, parseConfig } from '@authstack/shared';
import { STATE_DATABASE_URL_PATTERN } from '@authstack/shared/state-store';
import { z } from 'zod';
import type { AppSettings } from './app';

/** Every environment variable the auth-server reads, with its default. */
export const configSchema = z.object({
  HOST: env.host('127.0.0.1'),
  PORT: env.port(3000),
  /** Path prefix: the API lives under `/<STAGE>/api`. */
  STAGE: env.stage(),
  AWS_REGION: z.string().regex(/^[a-z0-9-]{1,32}$/, 'an AWS region such as us-east-1'),
  /** Unset for real Cognito; the local pool's URL locally. */
  COGNITO_ENDPOINT: env.url().optional(),
  USER_POOL_ID: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'a user pool id such as us-east-1_Ab12'),
  USER_POOL_CLIENT_ID: z.string().regex(/^[\w+]{1,128}$/, 'an app client id'),
  /** Set when the app client has a secret: every call that needs it then carries SECRET_HASH. */
  USER_POOL_CLIENT_SECRET: z.string().min(1).optional(),
  /** `auto`: sign-up creates a confirmed user and signs in; `code`: Cognito SignUp + ConfirmSignUp. */
  SIGNUP_CONFIRMATION: z.enum(['auto', 'code']).default('auto'),
  /**
   * TOTP multi-factor sign-in: `off` (the enrolment routes answer 403), `optional` (each user
   * chooses), `required` (everyone). The pool's MfaConfiguration is set by whoever creates the
   * pool (the local bootstrap, the CDK app), never by this server; a mismatch is logged at start.
   */
  MFA_MODE: z.enum(MFA_MODES).default('optional'),
  /** The issuer an authenticator app shows next to the account (the otpauth URI's `issuer`). */
  MFA_ISSUER: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[^:\p{Cc}]+$/u, 'no ":" and no control characters')
    .default('authstack'),
  /** Members of this group may use the admin routes. */
  ADMIN_GROUP: z.string().min(1).max(128).default('admin'),
  /** How many proxies in front of the server append to X-Forwarded-For (0: use the socket address). */
  TRUST_PROXY: env.nonNegativeInt(0),
  /** Window of every rate limit below; a limit of 0 turns that limit off. */
  RATE_LIMIT_WINDOW_SECONDS: env.positiveInt(900),
  SIGNIN_MAX_FAILURES_PER_EMAIL: env.nonNegativeInt(5),
  SIGNIN_MAX_FAILURES_PER_IP: env.nonNegativeInt(20),
  /** Sign-up, confirm, resend, forgot, reset and new-password requests per client address. */
  ACCOUNT_MAX_REQUESTS_PER_IP: env.nonNegativeInt(20),
  /** Wrong MFA codes per sign-in session (the session the challenge answered with). */
  MFA_MAX_FAILURES_PER_SESSION: env.nonNegativeInt(3),
  /** Wrong MFA codes per user (email), whichever route they came through. */
  MFA_MAX_FAILURES_PER_USER: env.nonNegativeInt(5),
  /**
   * The shared state store (PostgreSQL): revocations and rate limits every instance sees.
   * Unset: limits count per process and sign-out reaches only the pool (local tests only).
   */
  STATE_DATABASE_URL: z.string().regex(STATE_DATABASE_URL_PATTERN, 'a postgres:// URL').optional(),
  /** The longest ID/access token lifetime of the pool (Cognito: at most one day); how long a revocation is kept. */
  MAX_TOKEN_LIFETIME_SECONDS: z.coerce.number().int().min(300).max(86_400).default(86_400),
  /**
   * The account pages (`/<STAGE>/account`) set their session cookies `Secure`. Only a local
   * stack served over plain http sets this to false (`npm start` does); never in production.
   */
  ACCOUNT_COOKIE_SECURE: env.boolean(true),
  /**
   * Signs the account pages' CSRF tokens. Unset: a random secret per process (tokens of one
   * instance are refused by another), so set it, shared by every instance, behind a balancer.
   */
  ACCOUNT_CSRF_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /**
   * The resource-server's API base (e.g. https://api.example.com/v1/api): the profile page's
   * "call the resource API" button sends the session's access token to its `/users/me`.
   * Unset: the button is not shown.
   */
  ACCOUNT_RESOURCE_API_URL: env.url().optional(),
  /** Origins (comma-separated) whose scripts may call the API cross-origin (CORS). Default: none. */
  CORS_ORIGINS: env.origins(),
  /** Deadline of one call to the user pool, retries included. */
  UPSTREAM_TIMEOUT_MS: env.positiveInt(3000),
  /** How long a client may take to send a whole request before it is answered 408. */
  REQUEST_TIMEOUT_MS: env.requestTimeoutMs(),
  /** `GET /metrics` (Prometheus text format) and the counting behind it; false: neither. */
  METRICS_ENABLED: env.boolean(true),
  LOG_LEVEL: env.logLevel(),
});

export type Config = z.infer<typeof configSchema>;

/** Parses the environment; throws `ConfigError` naming the variable. */
export function parseAuthServerConfig(environment: Record<string, string | undefined>): Config {
  return parseConfig(configSchema, environment);
}

/** For the entry point: a bad value ends the process with one line naming the variable. */
export function loadAuthServerConfig(): Config {
  return loadConfig(configSchema);
}

/** The part of the configuration the app itself needs (the rest wires clients and the listener). */
export function appSettingsFrom(config: Config): AppSettings {
  return {
    stage: config.STAGE,
    signUpConfirmation: config.SIGNUP_CONFIRMATION,
    mfa: { mode: config.MFA_MODE, issuer: config.MFA_ISSUER },
    adminGroup: config.ADMIN_GROUP,
    trustProxy: config.TRUST_PROXY,
    corsOrigins: config.CORS_ORIGINS,
    accountPages: {
      secureCookies: config.ACCOUNT_COOKIE_SECURE,
      csrfSecret: config.ACCOUNT_CSRF_SECRET,
      resourceApiUrl: config.ACCOUNT_RESOURCE_API_URL,
    },
    rateLimits: {
      windowMs: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
      signInFailuresPerEmail: config.SIGNIN_MAX_FAILURES_PER_EMAIL,
      signInFailuresPerIp: config.SIGNIN_MAX_FAILURES_PER_IP,
      accountRequestsPerIp: config.ACCOUNT_MAX_REQUESTS_PER_IP,
      mfaFailuresPerSession: config.MFA_MAX_FAILURES_PER_SESSION,
      mfaFailuresPerUser: config.MFA_MAX_FAILURES_PER_USER,
    },
  };
}
