import { prettyFactory } from 'pino-pretty';
import { createLogger, type LoggerOptions } from '@authstack/shared';
import type { LogFormat } from './config';
import type { ServiceLine } from './service';

/** Where the stack's own logger writes (`createLogger({ destination })`). */
export type LogDestination = NonNullable<LoggerOptions['destination']>;

/**
 * `pretty` when `npm start` writes to a terminal, `json` everywhere else (a file, a pipe, a
 * container, CI); `LOG_FORMAT` overrides both.
 */
export function chooseLogFormat(setting: LogFormat | undefined, isTerminal: boolean): LogFormat {
  return setting ?? (isTerminal ? 'pretty' : 'json');
}

export interface StackOutputOptions {
  format: LogFormat;
  /** Receives whole lines, newline included; `process.stdout` in `npm start`. */
  write: (text: string) => void;
  /** Pretty mode only; pino-pretty's default (colours when stdout supports them) when omitted. */
  colorize?: boolean;
}

type LogRecord = Record<string, unknown>;

function parseRecord(text: string): LogRecord | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    return JSON.parse(trimmed) as LogRecord;
  } catch {
    return undefined;
  }
}

/**
 * A line as one JSON document: a JSON record passes unchanged; anything else (a crash trace, a
 * library printing plain text) is wrapped in a record naming the service and the stream.
 */
export function toJsonLine(service: string, stream: 'stdout' | 'stderr', line: string): string {
  if (parseRecord(line)) return line.trim();
  return JSON.stringify({
    level: stream === 'stderr' ? 'warn' : 'info',
    time: new Date().toISOString(),
    name: service,
    stream,
    msg: line,
  });
}

/**
 * A request line (`{"req":{"method","path"},"res":{"statusCode"},"durationMs",…}`) becomes
 * one line with its message: `request completed GET /readyz 200 0.861 ms`. The request id and
 * the client address stay in the JSON output.
 */
function summariseRequest(record: LogRecord): LogRecord {
  const { req, res, durationMs, requestId: _requestId, ...rest } = record;
  if (typeof req !== 'object' || req === null || typeof res !== 'object' || res === null)
    return record;
  const { method, path } = req as LogRecord;
  const { statusCode } = res as LogRecord;
  if (typeof method !== 'string' || typeof statusCode !== 'number') return record;
  const parts = [String(rest.msg ?? ''), method, String(path ?? ''), String(statusCode)];
  if (typeof durationMs === 'number') parts.push(`${durationMs} ms`);
  return { ...rest, msg: parts.filter(Boolean).join(' ') };
}

/**
 * Everything `npm start` prints to stdout goes through here: every line of every service, the
 * stack's own log lines and the ready banner. The format is chosen once (`chooseLogFormat`).
 *
 * - `json`: one JSON record per line, as the services write them; a line that is not JSON (a
 *   crash trace on stderr) is wrapped in a record (`toJsonLine`); the banner is one record per
 *   line (`"banner":true`).
 * - `pretty`: each record through pino-pretty's `prettyFactory` (in process, no worker thread):
 *   time, level, service (the record's `name`), message, other fields on the same line, a
 *   request as method, path, status and duration; a line that is not JSON as it is, prefixed
 *   with its service (`local-pool | …`); the banner as plain text.
 */
export class StackOutput {
  readonly format: LogFormat;
  readonly #write: (text: string) => void;
  readonly #prettify: ((record: LogRecord) => string) | undefined;

  constructor(options: StackOutputOptions) {
    this.format = options.format;
    this.#write = options.write;
    if (options.format === 'json') return;
    const prettify = prettyFactory({
      ...(options.colorize === undefined ? {} : { colorize: options.colorize }),
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      singleLine: true,
    });
    this.#prettify = (record) => prettify(summariseRequest(record));
  }

  /** The sink for every service (`Service`): one line it printed on stdout or stderr. */
  readonly serviceLine = ({ service, stream, text }: ServiceLine): void => {
    if (!this.#prettify) return this.#write(`${toJsonLine(service, stream, text)}\n`);
    const record = parseRecord(text);
    this.#write(record ? this.#prettify({ name: service, ...record }) : `${service} | ${text}\n`);
  };

  /** For the stack's own logger: `createLogger({ destination: output.destination })`. */
  readonly destination: LogDestination = {
    write: (chunk: string): void => {
      for (const text of chunk.split('\n'))
        if (text.length > 0) this.serviceLine({ service: 'stack', stream: 'stdout', text });
    },
  };

  /**
   * The ready banner, in one write so that nothing comes between its lines: as it is in pretty
   * mode; in JSON mode one `info` record per non-blank line, `{"name":"stack","banner":true,
   * "msg":"<the line>"}`, printed whatever `LOG_LEVEL` says.
   */
  banner(text: string): void {
    if (this.#prettify) return this.#write(text.endsWith('\n') ? text : `${text}\n`);
    const records: string[] = [];
    const logger = createLogger({
      name: 'stack',
      level: 'info',
      base: { banner: true },
      destination: { write: (chunk: string) => void records.push(chunk) },
    });
    for (const line of text.split('\n')) if (line.trim().length > 0) logger.info(line);
    this.#write(records.join(''));
  }
}
