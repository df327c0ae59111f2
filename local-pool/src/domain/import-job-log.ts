import { invalidParameter } from '../protocol/errors';
import type { PoolContext } from './context';
import type { ImportJobEvent, ImportJobRecord } from './import-jobs';
import type { PoolRecord } from './types';

/**
 * The CloudWatch Logs view of user import jobs ("Viewing the user pool import results in the
 * CloudWatch console"): one log group per pool, one log stream per started job, one event per
 * user row. SKIPPED and FAILED lines are stored by the runner; a processed line without a stored
 * event was imported, so its SUCCEEDED line is derived here rather than stored.
 */

const GROUP_PREFIX = '/aws/cognito/userpools/';
const SUCCEEDED_MESSAGE = 'The import succeeded.';
/** Line 1 of the file is the header, so event `i` (from 0) is line `i + 2`. */
const FIRST_USER_LINE = 2;
/** CloudWatch: "as many log events as can fit in a response size of 1 MB (up to 10,000 log events)". */
export const MAX_LOG_EVENTS = 10_000;
const MAX_RESPONSE_BYTES = 1_048_576;
/** CloudWatch's per-event overhead in its size accounting. */
const EVENT_OVERHEAD_BYTES = 26;

/** `/aws/cognito/userpools/<USER_POOL_ID>/<USER_POOL_NAME>`. */
export const logGroupNameOf = (pool: PoolRecord): string =>
  `${GROUP_PREFIX}${pool.id}/${pool.name}`;

/** `<JOB_ID>/<JOB_NAME>`. */
export const logStreamNameOf = (job: ImportJobRecord): string => `${job.id}/${job.name}`;

/** `[SUCCEEDED] Line Number 5956 - The import succeeded.`, `[SKIPPED] …`, `[FAILED] …`. */
export const logLineOf = (line: number, outcome: string, message: string): string =>
  `[${outcome}] Line Number ${line} - ${message}`;

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface ImportLogGroup {
  pool: PoolRecord;
  /** The pool's started jobs, oldest first: each has a log stream. */
  jobs: ImportJobRecord[];
}

/**
 * The import log group named `name`: its pool exists under that id and name, and one of the
 * pool's jobs has started (Cognito writes the group when a job runs). Undefined otherwise.
 */
export function findImportLogGroup(context: PoolContext, name: string): ImportLogGroup | undefined {
  if (!name.startsWith(GROUP_PREFIX)) return undefined;
  const poolId = name.slice(GROUP_PREFIX.length).split('/', 1)[0] ?? '';
  const pool = context.store.getPool(poolId);
  if (!pool || logGroupNameOf(pool) !== name) return undefined;
  const jobs = context.store.importJobs.started(pool.id);
  return jobs.length > 0 ? { pool, jobs } : undefined;
}

/** The started job of the group whose log stream is named `name`. */
export function findImportLogStream(
  group: ImportLogGroup,
  name: string,
): ImportJobRecord | undefined {
  return group.jobs.find((job) => logStreamNameOf(job) === name);
}

/** Every line of a job is written when the job runs; the local pool stamps them with its start. */
export const eventTimeOf = (job: ImportJobRecord): number => job.startedAt ?? job.createdAt;

/** The job's events at positions `from` to `to` (exclusive), stored and derived, in line order. */
function eventsAt(context: PoolContext, job: ImportJobRecord, from: number, to: number) {
  const stored = new Map<number, ImportJobEvent>(
    context.store.importJobs
      .eventsBetween(job.id, from + FIRST_USER_LINE, to - 1 + FIRST_USER_LINE)
      .map((event) => [event.line, event]),
  );
  const time = eventTimeOf(job);
  const events: LogEvent[] = [];
  for (let position = from; position < to; position += 1) {
    const line = position + FIRST_USER_LINE;
    const event = stored.get(line);
    events.push({
      timestamp: time,
      message: event
        ? logLineOf(line, event.outcome, event.message)
        : logLineOf(line, 'SUCCEEDED', SUCCEEDED_MESSAGE),
      ingestionTime: time,
    });
  }
  return events;
}

/** How many of `events`, taken in order, fit in one 1 MB response. */
function countFitting(events: readonly LogEvent[]): number {
  let bytes = 0;
  let count = 0;
  for (const event of events) {
    bytes += Buffer.byteLength(event.message) + EVENT_OVERHEAD_BYTES;
    if (bytes > MAX_RESPONSE_BYTES) break;
    count += 1;
  }
  return count;
}

const TOKEN = /^([fb])\/(\d{56})\/s$/;
const tokenOf = (direction: 'f' | 'b', position: number): string =>
  `${direction}/${String(position).padStart(56, '0')}/s`;

function parseToken(token: string, count: number): { forward: boolean; position: number } {
  const match = TOKEN.exec(token);
  const position = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(position) || position > count) {
    throw invalidParameter('The specified nextToken is invalid.');
  }
  return { forward: match[1] === 'f', position };
}

export interface LogReadRequest {
  nextToken?: string | undefined;
  startFromHead?: boolean | undefined;
  limit?: number | undefined;
  startTime?: number | undefined;
  endTime?: number | undefined;
}

export interface LogPage {
  events: LogEvent[];
  nextForwardToken: string;
  nextBackwardToken: string;
}

/**
 * One page of a job's log as GetLogEvents answers it: events in line order; without a token
 * from the head (`startFromHead`) or the tail (the default); a `f/…` token reads on after the
 * page that gave it, a `b/…` token the events before. At either end the token passed in comes
 * back unchanged (an SDK paginator needs `stopOnSameToken: true`). A running job's stream grows
 * as its batches commit, so a forward token read again later gives the new lines.
 */
export function readImportJobLog(
  context: PoolContext,
  job: ImportJobRecord,
  request: LogReadRequest,
): LogPage {
  const count = job.nextLine;
  const limit = request.limit ?? MAX_LOG_EVENTS;
  const token = request.nextToken === undefined ? undefined : parseToken(request.nextToken, count);
  const forward = token ? token.forward : request.startFromHead === true;
  let start: number;
  let end: number;
  let events: LogEvent[];
  if (forward) {
    start = token?.position ?? 0;
    events = eventsAt(context, job, start, Math.min(count, start + limit));
    events = events.slice(0, countFitting(events));
    end = start + events.length;
  } else {
    end = token?.position ?? count;
    events = eventsAt(context, job, Math.max(0, end - limit), end);
    events = events.slice(events.length - countFitting([...events].reverse()));
    start = end - events.length;
  }
  const time = eventTimeOf(job);
  const inRange =
    (request.startTime === undefined || time >= request.startTime) &&
    (request.endTime === undefined || time < request.endTime);
  return {
    events: inRange ? events : [],
    nextForwardToken: tokenOf('f', end),
    nextBackwardToken: tokenOf('b', start),
  };
}
