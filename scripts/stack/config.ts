import path from 'node:path';
import { z } from 'zod';
import { env, parseConfig } from '@authstack/shared';
import { MFA_MODES, type MfaMode } from './bootstrap';

/** The repository root: every built script and the default `.local/` are found from here. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** How `npm start` prints logs: JSON lines, or readable lines (see `chooseLogFormat`). */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The orchestrator's own settings. The defaults are the contract ports and `.local/`;
 * tests move everything to free ports and a temporary folder.
 */
const schema = z.object({
  LOCAL_STATE_DIR: z.string().min(1).default(path.join(REPO_ROOT, '.local')),
  LEGACY_DB_PORT: env.port(54329),
  STATE_DB_PORT: env.port(54330),
  TRIGGER_PORT: env.port(9230),
  LOCAL_POOL_PORT: env.port(9229),
  AUTH_SERVER_PORT: env.port(3000),
  RESOURCE_SERVER_PORT: env.port(4000),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  STAGE: env.stage(),
  SIGNUP_CONFIRMATION: z.enum(['auto', 'code']).default('auto'),
  MFA_MODE: z.enum(MFA_MODES).default('optional'),
  LOG_LEVEL: env.logLevel(),
  LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
  STACK_START_TIMEOUT_MS: env.positiveInt(60_000),
});

export interface StackConfig {
  /** All state: `<dir>/pool` (the user pool), `<dir>/legacy-db` and `<dir>/state-db` (Postgres). */
  stateDir: string;
  host: string;
  ports: {
    legacyDb: number;
    stateDb: number;
    trigger: number;
    localPool: number;
    authServer: number;
    resourceServer: number;
  };
  region: string;
  stage: string;
  signupConfirmation: 'auto' | 'code';
  mfaMode: MfaMode;
  logLevel: string;
  /** `LOG_FORMAT`; unset: pretty on a terminal, JSON everywhere else. */
  logFormat: LogFormat | undefined;
  /** Longest wait for any one service to become ready. */
  startTimeoutMs: number;
}

/** Reads the stack's configuration; throws a one-line `ConfigError` naming a bad variable. */
export function stackConfigFromEnv(
  environment: Record<string, string | undefined> = process.env,
): StackConfig {
  const values = parseConfig(schema, environment);
  return {
    stateDir: path.resolve(values.LOCAL_STATE_DIR),
    host: '127.0.0.1',
    ports: {
      legacyDb: values.LEGACY_DB_PORT,
      stateDb: values.STATE_DB_PORT,
      trigger: values.TRIGGER_PORT,
      localPool: values.LOCAL_POOL_PORT,
      authServer: values.AUTH_SERVER_PORT,
      resourceServer: values.RESOURCE_SERVER_PORT,
    },
    region: values.AWS_REGION,
    stage: values.STAGE,
    signupConfirmation: values.SIGNUP_CONFIRMATION,
    mfaMode: values.MFA_MODE,
    logLevel: values.LOG_LEVEL,
    logFormat: values.LOG_FORMAT,
    startTimeoutMs: values.STACK_START_TIMEOUT_MS,
  };
}
