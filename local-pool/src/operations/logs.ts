import { z } from 'zod';
import type { PoolContext } from '../domain/context';
import {
  eventTimeOf,
  findImportLogGroup,
  findImportLogStream,
  logStreamNameOf,
  MAX_LOG_EVENTS,
  readImportJobLog,
  type ImportLogGroup,
} from '../domain/import-job-log';
import type { ImportJobRecord } from '../domain/import-jobs';
import { invalidParameter, resourceNotFound } from '../protocol/errors';
import { operation } from '../protocol/operation';
import { decodePageToken, page } from './paging';

/**
 * The CloudWatch Logs operations (`X-Amz-Target: Logs_20140328.<Operation>`) the local pool
 * serves for its user import jobs' log groups, so a client reads a job's per-line outcomes with
 * the unchanged `@aws-sdk/client-cloudwatch-logs` as it would in AWS.
 */

const ARN = /^arn:aws[\w-]*:logs:[\w-]*:\d*:log-group:([^:]+)(?::\*)?$/;
const MAX_STREAMS = 50;

const count = (min: number, max: number) =>
  z
    .number()
    .int()
    .min(min, `Member must have value greater than or equal to ${min}`)
    .max(max, `Member must have value less than or equal to ${max}`)
    .optional();

const group = {
  logGroupName: z
    .string()
    .min(1, 'Member must have length greater than or equal to 1')
    .max(512, 'Member must have length less than or equal to 512')
    .optional(),
  logGroupIdentifier: z
    .string()
    .min(1, 'Member must have length greater than or equal to 1')
    .max(2048, 'Member must have length less than or equal to 2048')
    .optional(),
};

/** The log group a request names (by name, or by name or ARN as `logGroupIdentifier`). */
function requireGroup(
  context: PoolContext,
  request: { logGroupName?: string | undefined; logGroupIdentifier?: string | undefined },
): ImportLogGroup {
  const { logGroupName, logGroupIdentifier } = request;
  if (logGroupName !== undefined && logGroupIdentifier !== undefined) {
    throw invalidParameter('Give either logGroupName or logGroupIdentifier, not both.');
  }
  if (logGroupName === undefined && logGroupIdentifier === undefined) {
    throw invalidParameter('Either logGroupName or logGroupIdentifier is required.');
  }
  const name = logGroupName ?? ARN.exec(logGroupIdentifier ?? '')?.[1] ?? logGroupIdentifier ?? '';
  const found = findImportLogGroup(context, name);
  if (!found) throw resourceNotFound('The specified log group does not exist.');
  return found;
}

const getLogEvents = operation(
  'iam',
  z.object({
    ...group,
    logStreamName: z
      .string()
      .min(1, 'Member must have length greater than or equal to 1')
      .max(512, 'Member must have length less than or equal to 512')
      .regex(/^[^:*]*$/, 'Member must satisfy regular expression pattern: [^:*]*'),
    startTime: count(0, Number.MAX_SAFE_INTEGER),
    endTime: count(0, Number.MAX_SAFE_INTEGER),
    nextToken: z.string().min(1, 'Member must have length greater than or equal to 1').optional(),
    limit: count(1, MAX_LOG_EVENTS),
    startFromHead: z.boolean().optional(),
    unmask: z.boolean().optional(),
  }),
  (context, request) =>
    context.store.transaction(() => {
      const job = findImportLogStream(requireGroup(context, request), request.logStreamName);
      if (!job) throw resourceNotFound('The specified log stream does not exist.');
      return readImportJobLog(context, job, request);
    }),
);

function toLogStream(job: ImportJobRecord) {
  const time = eventTimeOf(job);
  return {
    logStreamName: logStreamNameOf(job),
    creationTime: time,
    ...(job.nextLine > 0
      ? { firstEventTimestamp: time, lastEventTimestamp: time, lastIngestionTime: time }
      : {}),
  };
}

const describeLogStreams = operation(
  'iam',
  z.object({
    ...group,
    logStreamNamePrefix: z
      .string()
      .min(1, 'Member must have length greater than or equal to 1')
      .max(512, 'Member must have length less than or equal to 512')
      .optional(),
    orderBy: z
      .enum(['LogStreamName', 'LastEventTime'], {
        message: 'Member must satisfy enum value set: [LogStreamName, LastEventTime]',
      })
      .optional(),
    descending: z.boolean().optional(),
    nextToken: z.string().min(1, 'Member must have length greater than or equal to 1').optional(),
    limit: count(1, MAX_STREAMS),
  }),
  (context, request) =>
    context.store.transaction(() => {
      const byTime = request.orderBy === 'LastEventTime';
      if (byTime && request.logStreamNamePrefix !== undefined) {
        throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
      }
      const prefix = request.logStreamNamePrefix ?? '';
      const streams = requireGroup(context, request)
        .jobs.map(toLogStream)
        .filter((stream) => stream.logStreamName.startsWith(prefix))
        .sort(
          (a, b) =>
            (byTime ? (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) : 0) ||
            (a.logStreamName < b.logStreamName ? -1 : 1),
        );
      if (request.descending === true) streams.reverse();
      const offset = decodePageToken(request.nextToken) ?? 0;
      if (typeof offset !== 'number') throw invalidParameter('The specified nextToken is invalid.');
      const limit = request.limit ?? MAX_STREAMS;
      const { shown, next } = page(
        streams.slice(offset).map((stream, i) => ({ stream, position: offset + i + 1 })),
        limit,
        (row) => row.position,
      );
      return {
        logStreams: shown.map((row) => row.stream),
        ...(next.NextToken !== undefined ? { nextToken: next.NextToken } : {}),
      };
    }),
);

/** Every CloudWatch Logs operation the local pool serves, by its X-Amz-Target name. */
export const logsOperations = {
  GetLogEvents: getLogEvents,
  DescribeLogStreams: describeLogStreams,
};
