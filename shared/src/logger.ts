import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** The fields of a request body, a Cognito call or a trigger event that hold a secret. */
const SECRET_FIELDS = [
  'password',
  'newPassword',
  'previousPassword',
  'proposedPassword',
  'temporaryPassword',
  'refreshToken',
  'accessToken',
  'idToken',
  'session',
  'code',
] as const;

/** The same secrets as the AWS SDK's command inputs name them. */
const SDK_SECRET_FIELDS = [
  'Password',
  'PreviousPassword',
  'ProposedPassword',
  'TemporaryPassword',
  'AccessToken',
  'RefreshToken',
  'Token',
  'Session',
  'ConfirmationCode',
  'UserCode',
  'SecretCode',
  'ClientSecret',
  'AuthParameters.PASSWORD',
  'AuthParameters.REFRESH_TOKEN',
  'AuthParameters.SECRET_HASH',
  'ChallengeResponses.NEW_PASSWORD',
  'ChallengeResponses.SOFTWARE_TOKEN_MFA_CODE',
  'ChallengeResponses.SECRET_HASH',
] as const;

/**
 * The exact paths pino replaces with "[redacted]": a safety net under the rule that no log
 * call passes a secret at all. Exact paths, never wildcards: a wildcard such as `*.code`
 * also hid process exit codes and `err.code` (ECONNREFUSED), and costs a walk of every
 * object logged. A secret is redacted where the stack could hold it: the top level of a
 * record, a request body (`body`), request headers (`req.headers`, `headers`), a Cognito
 * call's input (`input`) and a trigger event's request (`event.request`, `request`).
 */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_FIELDS.filter((field) => field !== 'code'),
  'token',
  'secret',
  'clientSecret',
  'authorization',
  ...SECRET_FIELDS.map((field) => `body.${field}`),
  ...['req.headers', 'headers'].flatMap((headers) => [
    `${headers}.authorization`,
    `${headers}.cookie`,
    `${headers}["set-cookie"]`,
    `${headers}["x-amz-security-token"]`,
  ]),
  'res.headers["set-cookie"]',
  ...SDK_SECRET_FIELDS.map((field) => `input.${field}`),
  ...['request', 'event.request'].flatMap((request) => [
    `${request}.password`,
    `${request}.clientMetadata`,
    `${request}.validationData`,
  ]),
];

export interface LoggerOptions {
  /** Names the process in every line (`"name":"auth-server"`). */
  name: string;
  level?: string;
  /** Where lines go; stdout when omitted. Tests pass a capturing stream. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

/**
 * The one way any part of the stack makes its logger: JSON lines, secrets redacted, written
 * synchronously to stdout. Synchronous, so a line logged just before a crash or an exit is
 * not lost, and so a closed stdout (its reader gone) only silences the logger: the
 * asynchronous writer retries a broken pipe forever when flushing at exit, which hung the
 * process.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * Routes Node's process warnings (deprecations, the AWS SDK's Node-version notice)
 * through `logger`, so that they too come out as one JSON line each.
 */
export function logProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) =>
    logger.warn({ warning: warning.name, detail: warning.message }, 'runtime warning'),
  );
}
