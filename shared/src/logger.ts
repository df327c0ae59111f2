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
  /** Where lines go; stdout (`bufferedStdout()`) when omitted. Tests pass a capturing stream. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

/** Bytes of lines that wait in memory before they are written, even within one turn. */
const BUFFER_BYTES = 4096;

/**
 * A pino destination that keeps lines in memory and writes them with one synchronous write
 * at the end of the event-loop turn that logged them (sooner once 4 KiB wait), and what is
 * left when the process exits: a line costs an append, not a system call.
 *
 * Writes stay synchronous (sonic-boom, `sync: true` with `minLength`), so nothing is ever in
 * flight: the 'exit' listener writes the rest after `process.exit()`, an uncaught exception or
 * a fatal handler, and lines logged after it are written at once. Only what the process cannot
 * see (SIGKILL, a V8 abort) loses the lines of the turn in progress. A reader that went away
 * (EPIPE) silences the destination and nothing else. The asynchronous mode hung there: at exit
 * it calls sonic-boom's `flushSync()`, which in sonic-boom 4 retries every error but EAGAIN
 * forever (sonic-boom 5 throws instead: an EPIPE stack trace at every such exit). This
 * destination never calls `flushSync()`.
 */
export class BufferedDestination implements DestinationStream {
  readonly #stream: ReturnType<typeof pino.destination>;
  #flushScheduled = false;
  #exiting = false;
  readonly #flushAtTurnEnd = (): void => {
    this.#flushScheduled = false;
    this.#stream.flush();
  };

  /** `dest`: a file descriptor (1, stdout) or a file path. */
  constructor(dest: number | string) {
    this.#stream = pino.destination({ dest, sync: true, minLength: BUFFER_BYTES });
    process.once('exit', () => {
      this.#exiting = true;
      this.#stream.flush();
    });
  }

  write(line: string): void {
    this.#stream.write(line);
    if (this.#exiting) {
      this.#stream.flush();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flushAtTurnEnd);
    }
  }

  /** Writes every waiting line now (pino's `logger.flush(done)` lands here). */
  flush(done?: (error?: Error) => void): void {
    this.#stream.flush();
    done?.();
  }
}

let stdout: BufferedDestination | undefined;

/** The process's one buffered writer to stdout, shared by every logger that writes there. */
export function bufferedStdout(): BufferedDestination {
  return (stdout ??= new BufferedDestination(1));
}

/**
 * The one way any part of the stack makes its logger: JSON lines, secrets redacted by exact
 * paths, written to stdout through `bufferedStdout()`.
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
    options.destination ?? bufferedStdout(),
  );
}

/**
 * A logger for lines built only of fields known to hold no secret (the request-log line):
 * `logger` without the redaction pass, which costs a walk of the logged object per line.
 * Writes where `logger` writes, with its bindings.
 */
export function unredacted(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
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
