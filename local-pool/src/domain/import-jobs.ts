import { setImmediate as nextTick } from 'node:timers/promises';
import { IMPORT_CSV_MAX_USERS, isEmail, splitImportCsvLine } from '@authstack/shared';
import { CognitoError } from '../protocol/errors';
import { UniqueViolation } from '../storage/store';
import type { PoolContext } from './context';
import { newSub } from './ids';
import { mfaConfigurationOf } from './mfa';
import { autoVerifiesEmail, emailIsUsername } from './pools';
import type { PoolRecord } from './types';
import {
  claimEmailKey,
  findUser,
  newUser,
  readAttributes,
  STANDARD_ATTRIBUTE_NAMES,
  STANDARD_ATTRIBUTES,
} from './users';

export type ImportJobStatus =
  | 'Created'
  | 'Pending'
  | 'InProgress'
  | 'Stopping'
  | 'Expired'
  | 'Stopped'
  | 'Failed'
  | 'Succeeded';

export interface NewImportJob {
  id: string;
  poolId: string;
  name: string;
  roleArn: string;
  uploadToken: string;
  preSignedUrl: string;
  uploadExpiresAt: number;
  status: ImportJobStatus;
  createdAt: number;
}

export interface ImportJobRecord extends NewImportJob {
  /** Creation order (ListUserImportJobs lists newest first). */
  seq: number;
  uploaded: boolean;
  startedAt: number | null;
  completedAt: number | null;
  imported: number;
  skipped: number;
  failed: number;
  /** How many user rows the job has already handled (where it resumes). */
  nextLine: number;
  completionMessage: string | null;
}

/** One line of the job's log, as Cognito writes it to CloudWatch: `[FAILED] Line Number 7 - …`. */
export interface ImportJobEvent {
  line: number;
  outcome: 'SKIPPED' | 'FAILED';
  message: string;
}

const MINUTE = 60_000;
/** Cognito: "The PRE_SIGNED_URL returned in the response is valid for 15 minutes." */
export const UPLOAD_URL_LIFETIME_MS = 15 * MINUTE;
/** Cognito: a job not started "within 24-48 hours" is Expired; the local pool uses 24 hours. */
export const JOB_START_DEADLINE_MS = 24 * 60 * MINUTE;
export const MAX_ROW_CHARACTERS = 16_000;

export const COMPLETED_MESSAGE = 'Import Job Completed Successfully.';
export const STOPPED_MESSAGE = 'The Import Job was stopped by the developer.';
export const TOO_MANY_FAILURES_MESSAGE =
  'Too many users have failed or been skipped during the import.';
const USER_EXISTS = 'The user already exists.';
const NOT_VERIFIED =
  'The User Record does not set any of the auto verified attributes to verified. (Example: email_verified to true).';

const USERNAME_COLUMN = 'cognito:username';
const MFA_COLUMN = 'cognito:mfa_enabled';

/** The pool's CSV header (GetCSVHeader): its attributes, then `cognito:mfa_enabled`, `cognito:username`. */
export function csvHeaderOf(pool: PoolRecord): string[] {
  return [
    ...STANDARD_ATTRIBUTE_NAMES,
    ...pool.settings.CustomAttributes.map((name) => `custom:${name}`),
    MFA_COLUMN,
    USERNAME_COLUMN,
  ];
}

/** Cognito's `UserImportJobType`, dates in epoch seconds. */
export function toUserImportJobType(job: ImportJobRecord) {
  return {
    JobName: job.name,
    JobId: job.id,
    UserPoolId: job.poolId,
    PreSignedUrl: job.preSignedUrl,
    CreationDate: job.createdAt / 1000,
    ...(job.startedAt !== null ? { StartDate: job.startedAt / 1000 } : {}),
    ...(job.completedAt !== null ? { CompletionDate: job.completedAt / 1000 } : {}),
    Status: job.status,
    CloudWatchLogsRoleArn: job.roleArn,
    ImportedUsers: job.imported,
    SkippedUsers: job.skipped,
    FailedUsers: job.failed,
    ...(job.completionMessage !== null ? { CompletionMessage: job.completionMessage } : {}),
  };
}

/** A Created job past its start deadline is Expired (its file is dropped), as Cognito reports it. */
export function expireIfStale(context: PoolContext, job: ImportJobRecord): ImportJobRecord {
  if (job.status !== 'Created' || context.clock() - job.createdAt < JOB_START_DEADLINE_MS) {
    return job;
  }
  context.store.importJobs.dropCsv(job.id);
  return context.store.importJobs.update(job, { status: 'Expired' });
}

export type ParsedCsv =
  { ok: true; header: string[]; rows: string[] } | { ok: false; message: string };

/** The header (checked against the pool's, in any order) and the user rows of an uploaded file. */
export function parseImportCsv(pool: PoolRecord, csv: Buffer): ParsedCsv {
  const lines = csv.toString('utf8').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const header = splitImportCsvLine(lines[0] ?? '').map((column) => column.trim());
  const expected = csvHeaderOf(pool);
  const unknown = header.filter((column) => !expected.includes(column));
  const missing = expected.filter((column) => !header.includes(column));
  if (unknown.length > 0 || missing.length > 0 || new Set(header).size !== header.length) {
    const parts = [
      missing.length > 0 ? `missing columns: ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unknown columns: ${unknown.join(', ')}` : '',
    ].filter(Boolean);
    return {
      ok: false,
      message: `The CSV header does not match the user pool's (GetCSVHeader): ${parts.join('; ') || 'duplicate columns'}.`,
    };
  }
  const rows = lines.slice(1);
  if (rows.length > IMPORT_CSV_MAX_USERS) {
    return {
      ok: false,
      message: `The CSV file has ${rows.length} users; a job takes at most ${IMPORT_CSV_MAX_USERS}.`,
    };
  }
  return { ok: true, header, rows };
}

class RowRejected extends Error {}
const reject = (message: string): never => {
  throw new RowRejected(message);
};

const BOOLEAN = /^(true|false)$/i;
const BIRTHDATE = /^\d{2}\/\d{2}\/\d{4}$/;

/** A row's username and attributes, or RowRejected with the reason it fails. */
function readRow(
  pool: PoolRecord,
  header: readonly string[],
  row: string,
): { username: string; attributes: Record<string, string> } {
  if (row.length > MAX_ROW_CHARACTERS) {
    reject(`The row is longer than ${MAX_ROW_CHARACTERS} characters.`);
  }
  const fields = splitImportCsvLine(row);
  if (fields.length !== header.length) {
    reject(`The row has ${fields.length} values; the header has ${header.length} columns.`);
  }
  const values = new Map(header.map((column, i) => [column, (fields[i] ?? '').trim()]));
  const username = values.get(USERNAME_COLUMN) ?? '';
  if (username === '') reject('The cognito:username value is missing.');
  if (/[\s]/.test(username)) reject('The cognito:username value cannot contain spaces or tabs.');
  const mfa = values.get(MFA_COLUMN) ?? '';
  if (!BOOLEAN.test(mfa)) reject('The cognito:mfa_enabled value must be TRUE or FALSE.');
  const mfaConfiguration = mfaConfigurationOf(pool);
  if (mfaConfiguration === 'ON' && mfa.toLowerCase() !== 'true') {
    reject('The user pool requires MFA: cognito:mfa_enabled must be TRUE.');
  }
  if (mfaConfiguration === 'OFF' && mfa.toLowerCase() !== 'false') {
    reject('The user pool has MFA off: cognito:mfa_enabled must be FALSE.');
  }
  const input: { Name: string; Value: string }[] = [];
  for (const [column, raw] of values) {
    if (column.startsWith('cognito:') || raw === '') continue;
    let value = raw;
    if (column.endsWith('_verified')) {
      if (!BOOLEAN.test(value)) reject(`The ${column} value must be TRUE or FALSE.`);
      value = value.toLowerCase();
    }
    if (column === 'birthdate' && !BIRTHDATE.test(value)) {
      reject('The birthdate value must be in the format mm/dd/yyyy.');
    }
    if (column === 'updated_at' && !/^\d+$/.test(value)) {
      reject('The updated_at value must be epoch time in seconds.');
    }
    if (!column.startsWith('custom:') && !STANDARD_ATTRIBUTES.has(column)) continue;
    input.push({ Name: column, Value: value });
  }
  let attributes: Record<string, string>;
  try {
    attributes = readAttributes(pool, input, true);
  } catch (error) {
    if (error instanceof CognitoError) reject(error.message);
    throw error;
  }
  if (emailIsUsername(pool)) {
    if (!isEmail(username)) reject('Username should be an email.');
    if (
      attributes.email !== undefined &&
      attributes.email.toLowerCase() !== username.toLowerCase()
    ) {
      reject('The email value must be the username (cognito:username) in this user pool.');
    }
    attributes.email = username;
  }
  if (attributes.email_verified !== 'true') reject(NOT_VERIFIED);
  if (!attributes.email) reject('The email value is required when email_verified is TRUE.');
  return { username, attributes };
}

type RowOutcome = 'IMPORTED' | ImportJobEvent;

/**
 * Imports one CSV row as a RESET_REQUIRED user without a password, through the same
 * lookup-key rules as every other user creation (`findUser`, `claimEmailKey`). A user who
 * already exists is SKIPPED (Cognito: "The user already exists."); a row that does not fit
 * the schema FAILED. Call inside the batch's transaction.
 */
export function importRow(
  context: PoolContext,
  pool: PoolRecord,
  header: readonly string[],
  row: string,
  line: number,
): RowOutcome {
  let parsed: { username: string; attributes: Record<string, string> };
  try {
    parsed = readRow(pool, header, row);
  } catch (error) {
    if (error instanceof RowRejected) return { line, outcome: 'FAILED', message: error.message };
    throw error;
  }
  if (findUser(context, pool, parsed.username)) {
    return { line, outcome: 'SKIPPED', message: USER_EXISTS };
  }
  const created = newUser(pool, {
    username: parsed.username,
    sub: newSub(),
    status: 'RESET_REQUIRED',
    passwordHash: null,
    attributes: parsed.attributes,
    now: context.clock(),
  });
  try {
    claimEmailKey(context, pool, created.emailKey, undefined);
    context.store.insertUser(created);
  } catch (error) {
    if (error instanceof UniqueViolation) return { line, outcome: 'SKIPPED', message: USER_EXISTS };
    if (error instanceof CognitoError) return { line, outcome: 'FAILED', message: error.message };
    throw error;
  }
  return 'IMPORTED';
}

/** Why StartUserImportJob cannot run a job in this pool, or undefined when it can. */
export function startBlocker(pool: PoolRecord): string | undefined {
  return autoVerifiesEmail(pool)
    ? undefined
    : 'The user pool has no auto-verified attributes (AutoVerifiedAttributes: email); an import job cannot start.';
}

export interface ImportJobRunnerOptions {
  /** Rows per transaction (and between two looks at a Stop). */
  batchSize?: number;
  /** A pause between batches (local-only knob for tests that stop a job mid-way). */
  batchPauseMs?: number;
}

/**
 * Runs started jobs one at a time (Cognito: one active import job per account), in
 * batches: each batch's users and the job's counters commit together, so the counters
 * always match the users in the pool, also after a Stop or a crash. A job interrupted by
 * a restart resumes from its last committed batch.
 */
export class ImportJobRunner {
  readonly #context: PoolContext;
  readonly #batchSize: number;
  readonly #pauseMs: number;
  #running = false;
  #closed = false;
  #interruptPause: (() => void) | undefined;

  constructor(context: PoolContext, options: ImportJobRunnerOptions = {}) {
    this.#context = context;
    this.#batchSize = options.batchSize ?? 1000;
    this.#pauseMs = options.batchPauseMs ?? 0;
  }

  /** Makes the runner look for work now (after Start, after Stop, at start-up). */
  wake(): void {
    this.#interruptPause?.();
    if (this.#running || this.#closed) return;
    this.#running = true;
    void this.#drain();
  }

  /** Stops taking batches (before the store closes); the job resumes at the next start. */
  close(): void {
    this.#closed = true;
    this.#interruptPause?.();
  }

  async #drain(): Promise<void> {
    try {
      while (!this.#closed) {
        const job = this.#context.store.importJobs.nextRunnable();
        if (!job) break;
        await this.#run(job);
      }
    } catch (error) {
      this.#context.logger.error({ err: error }, 'user import runner failed unexpectedly');
    } finally {
      this.#running = false;
    }
  }

  #finish(job: ImportJobRecord, status: ImportJobStatus, message: string): void {
    const { store } = this.#context;
    store.transaction(() => {
      store.importJobs.update(job, {
        status,
        completedAt: this.#context.clock(),
        completionMessage: message,
      });
      store.importJobs.dropCsv(job.id);
    });
    this.#context.logger.info(
      {
        jobId: job.id,
        poolId: job.poolId,
        status,
        imported: job.imported,
        skipped: job.skipped,
        failed: job.failed,
      },
      'user import job ended',
    );
  }

  async #run(started: ImportJobRecord): Promise<void> {
    const { store } = this.#context;
    let job = started;
    if (job.status === 'Stopping') return this.#finish(job, 'Stopped', STOPPED_MESSAGE);
    const pool = store.getPool(job.poolId);
    if (!pool) return this.#finish(job, 'Failed', 'The user pool has been deleted.');
    if (job.status === 'Pending') {
      job = store.transaction(() => store.importJobs.update(job, { status: 'InProgress' }));
    }
    const parsed = parseImportCsv(pool, store.importJobs.csv(job.id) ?? Buffer.alloc(0));
    if (!parsed.ok) return this.#finish(job, 'Failed', parsed.message);
    const { header, rows } = parsed;
    while (job.nextLine < rows.length) {
      if (this.#closed) return;
      const current = store.importJobs.get(job.poolId, job.id);
      if (!current || current.status === 'Stopping') {
        return this.#finish(job, 'Stopped', STOPPED_MESSAGE);
      }
      job = store.transaction(() => this.#importBatch(pool, header, rows, current));
      if (this.#pauseMs > 0 && job.nextLine < rows.length) await this.#pause();
      else await nextTick();
    }
    if (this.#closed) return;
    const last = store.importJobs.get(job.poolId, job.id) ?? job;
    if (last.status === 'Stopping') return this.#finish(last, 'Stopped', STOPPED_MESSAGE);
    return last.failed + last.skipped > last.imported
      ? this.#finish(last, 'Failed', TOO_MANY_FAILURES_MESSAGE)
      : this.#finish(last, 'Succeeded', COMPLETED_MESSAGE);
  }

  #importBatch(
    pool: PoolRecord,
    header: readonly string[],
    rows: readonly string[],
    job: ImportJobRecord,
  ): ImportJobRecord {
    const counts = { imported: job.imported, skipped: job.skipped, failed: job.failed };
    const end = Math.min(rows.length, job.nextLine + this.#batchSize);
    for (let index = job.nextLine; index < end; index += 1) {
      // Line 1 is the header, so the first user is line 2.
      const line = index + 2;
      const outcome = importRow(this.#context, pool, header, rows[index] ?? '', line);
      if (outcome === 'IMPORTED') {
        counts.imported += 1;
        continue;
      }
      if (outcome.outcome === 'SKIPPED') counts.skipped += 1;
      else counts.failed += 1;
      this.#context.store.importJobs.addEvent(job.id, outcome);
      this.#context.logger.info(
        { jobId: job.id, line, outcome: outcome.outcome, reason: outcome.message },
        'user import line not imported',
      );
    }
    return this.#context.store.importJobs.update(job, { ...counts, nextLine: end });
  }

  #pause(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#interruptPause = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.#pauseMs);
      timer.unref();
      this.#interruptPause = done;
    });
  }
}
