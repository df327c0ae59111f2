import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino replaces with "[redacted]" wherever they occur in a log object.
 * Covers the field names every part of the stack uses for secrets, in any casing
 * the AWS SDK, Cognito events or HTTP headers give them.
 */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  'newPassword',
  'previousPassword',
  'proposedPassword',
  'temporaryPassword',
  'code',
  'token',
  'idToken',
  'accessToken',
  'refreshToken',
  'authorization',
  'secret',
  'clientSecret',
  'session',
  '*.password',
  '*.newPassword',
  '*.previousPassword',
  '*.proposedPassword',
  '*.code',
  '*.token',
  '*.idToken',
  '*.accessToken',
  '*.refreshToken',
  '*.authorization',
  '*.Authorization',
  '*.secret',
  '*.clientSecret',
  '*.session',
  '*.Session',
  '*.SecretCode',
  '*.UserCode',
  '*.SOFTWARE_TOKEN_MFA_CODE',
  'req.headers.authorization',
  'req.headers.cookie',
  'request.password',
  'event.request.password',
  '*.Password',
  '*.AccessToken',
  '*.IdToken',
  '*.RefreshToken',
  '*.SECRET_HASH',
  '*.PASSWORD',
  '*.REFRESH_TOKEN',
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
