import { z } from 'zod';
import type { PoolContext } from '../domain/context';
import { newOpaqueToken } from '../domain/ids';
import {
  csvHeaderOf,
  expireIfStale,
  type ImportJobRecord,
  startBlocker,
  STOPPED_MESSAGE,
  toUserImportJobType,
  UPLOAD_URL_LIFETIME_MS,
} from '../domain/import-jobs';
import { requirePool } from '../domain/pools';
import { CognitoError, invalidParameter, resourceNotFound } from '../protocol/errors';
import { operation } from '../protocol/operation';
import { userPoolId } from '../protocol/shapes';
import { decodePageToken, page } from './paging';

const preconditionNotMet = (message: string) =>
  new CognitoError('PreconditionNotMetException', message);

const ALPHANUMERIC = /[^A-Za-z0-9]/g;
/** `import-` and 10 alphanumerics, like Cognito's job ids (e.g. `import-9sHxosU7BP`). */
function newJobId(): string {
  let id = '';
  while (id.length < 10) id += newOpaqueToken(12).replace(ALPHANUMERIC, '');
  return `import-${id.slice(0, 10)}`;
}

const jobId = z
  .string()
  .min(1)
  .max(55)
  .regex(
    /^import-[0-9a-zA-Z-]+$/,
    'Member must satisfy regular expression pattern: import-[0-9a-zA-Z-]+',
  );
const jobRequest = z.object({ UserPoolId: userPoolId, JobId: jobId });

/** The named job of the pool (ResourceNotFoundException otherwise), Expired if stale. */
function requireJob(
  context: PoolContext,
  request: { UserPoolId: string; JobId: string },
): ImportJobRecord {
  requirePool(context, request.UserPoolId);
  const job = context.store.importJobs.get(request.UserPoolId, request.JobId);
  if (!job) throw resourceNotFound(`Import job ${request.JobId} does not exist.`);
  return expireIfStale(context, job);
}

const getCsvHeader = operation('iam', z.object({ UserPoolId: userPoolId }), (context, request) => {
  const pool = requirePool(context, request.UserPoolId);
  return { UserPoolId: pool.id, CSVHeader: csvHeaderOf(pool) };
});

const createUserImportJob = operation(
  'iam',
  z.object({
    UserPoolId: userPoolId,
    JobName: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\w\s+=,.@-]+$/, 'Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+'),
    CloudWatchLogsRoleArn: z
      .string()
      .min(20, 'Member must have length greater than or equal to 20')
      .max(2048)
      .regex(
        /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/,
        'Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:[\\w+=/,.@-]+:([\\w+=/,.@-]*)?:[0-9]+:[\\w+=/,.@-]+(:[\\w+=/,.@-]+)?(:[\\w+=/,.@-]+)?',
      ),
  }),
  (context, request) =>
    context.store.transaction(() => {
      const pool = requirePool(context, request.UserPoolId);
      const now = context.clock();
      const uploadToken = newOpaqueToken(32);
      const base = (context.localUrl ?? context.issuerBase)();
      const job = context.store.importJobs.insert({
        id: newJobId(),
        poolId: pool.id,
        name: request.JobName,
        roleArn: request.CloudWatchLogsRoleArn,
        uploadToken,
        preSignedUrl: `${base}/_local/user-import/${uploadToken}`,
        uploadExpiresAt: now + UPLOAD_URL_LIFETIME_MS,
        status: 'Created',
        createdAt: now,
      });
      return { UserImportJob: toUserImportJobType(job) };
    }),
);

const describeUserImportJob = operation('iam', jobRequest, (context, request) =>
  context.store.transaction(() => ({
    UserImportJob: toUserImportJobType(requireJob(context, request)),
  })),
);

const startUserImportJob = operation('iam', jobRequest, (context, request) => {
  const started = context.store.transaction(() => {
    const job = requireJob(context, request);
    if (job.status !== 'Created') {
      throw preconditionNotMet(
        `Import job ${job.id} is ${job.status}; only a job in status Created can be started.`,
      );
    }
    if (!job.uploaded) throw preconditionNotMet(`No csv file was uploaded for ${job.id}`);
    const blocker = startBlocker(requirePool(context, request.UserPoolId));
    if (blocker) throw preconditionNotMet(blocker);
    return context.store.importJobs.update(job, {
      status: 'Pending',
      startedAt: context.clock(),
    });
  });
  context.imports?.wake();
  return { UserImportJob: toUserImportJobType(started) };
});

/**
 * A Pending job stops at once; one InProgress goes Stopping and the runner ends it
 * (Stopped) after its current batch, so the counters match the users it created.
 */
const stopUserImportJob = operation('iam', jobRequest, (context, request) => {
  const stopped = context.store.transaction(() => {
    const job = requireJob(context, request);
    if (job.status === 'Pending') {
      context.store.importJobs.dropCsv(job.id);
      return context.store.importJobs.update(job, {
        status: 'Stopped',
        completedAt: context.clock(),
        completionMessage: STOPPED_MESSAGE,
      });
    }
    if (job.status !== 'InProgress') {
      throw preconditionNotMet(
        `Import job ${job.id} is ${job.status}; only a Pending or InProgress job can be stopped.`,
      );
    }
    return context.store.importJobs.update(job, { status: 'Stopping' });
  });
  context.imports?.wake();
  return { UserImportJob: toUserImportJobType(stopped) };
});

const listUserImportJobs = operation(
  'iam',
  z.object({
    UserPoolId: userPoolId,
    MaxResults: z
      .number()
      .int()
      .min(1, 'Member must have value greater than or equal to 1')
      .max(60, 'Member must have value less than or equal to 60'),
    PaginationToken: z.string().min(1).optional(),
  }),
  (context, request) =>
    context.store.transaction(() => {
      requirePool(context, request.UserPoolId);
      const before = decodePageToken(request.PaginationToken) ?? Number.MAX_SAFE_INTEGER;
      if (typeof before !== 'number') throw invalidParameter('Invalid pagination token.');
      const { shown, next } = page(
        context.store.importJobs.list(request.UserPoolId, before, request.MaxResults + 1),
        request.MaxResults,
        (job) => job.seq,
        'PaginationToken',
      );
      return {
        UserImportJobs: shown.map((job) => toUserImportJobType(expireIfStale(context, job))),
        ...next,
      };
    }),
);

export const importJobOperations = {
  GetCSVHeader: getCsvHeader,
  CreateUserImportJob: createUserImportJob,
  DescribeUserImportJob: describeUserImportJob,
  StartUserImportJob: startUserImportJob,
  StopUserImportJob: stopUserImportJob,
  ListUserImportJobs: listUserImportJobs,
};
