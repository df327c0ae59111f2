import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { importVerdict } from '../domain/import-verdict';
import type { LegacyUserDirectory } from '../domain/legacy-user-source';
import type { MigrationSettings } from '../domain/migrate-user';
import { IMPORT_CSV_MAX_BYTES, importCsvLine, splitImportCsvLine } from '@authstack/shared';
import {
  type ChunkRecord,
  PoolStateDirectory,
  type Progress,
  type RunOptions,
  sameRunOptions,
} from './progress-file';
import { writeReport, type ImportReport } from './report';
import { ImportError } from './errors';
import {
  FINISHED_JOB_STATES,
  type ImportUserPool,
  type JobLogLine,
  type PoolFacts,
} from './user-pool';

/** Legacy users asked for at once. */
const PAGE_SIZE = 1000;
/** Room kept below Cognito's 100 MB per file for one more page of the longest rows. */
const FILE_BYTES_LIMIT = IMPORT_CSV_MAX_BYTES - 8 * 1024 * 1024;
/** The CSV columns the import writes; GetCSVHeader must list them. */
const REQUIRED_COLUMNS = ['email', 'email_verified', 'cognito:mfa_enabled', 'cognito:username'];

export interface ImportOptions extends RunOptions {
  stateDir: string;
  /** The CloudWatch Logs role every import job needs (not for a dry run). */
  roleArn?: string;
  pollIntervalMs: number;
  /** Drop an interrupted run's progress instead of resuming it. */
  restart: boolean;
}

/** What the operator sees while it runs (the progress bar). */
export interface ImportProgressView {
  start(counts: ImportCounts): void;
  /** How many legacy users the run will go through, once the store has counted them. */
  total(users: number): void;
  update(counts: ImportCounts): void;
  note(message: string): void;
  stop(): void;
}

export interface ImportCounts {
  /** Legacy users read. */
  read: number;
  /** Users in uploaded import files. */
  uploaded: number;
  /** Users the pool has imported. */
  imported: number;
  /** Legacy users whose outcome is known (imported, skipped, failed, or left out). */
  done: number;
}

export interface ImportDeps {
  pool: ImportUserPool;
  legacy: LegacyUserDirectory;
  settings: MigrationSettings;
  view: ImportProgressView;
  /** Ctrl-C: stop at the next step; the run resumes from there. */
  signal: AbortSignal;
  now?: () => Date;
}

/**
 * Imports the legacy users who are not in the pool yet, in Cognito import jobs of at most
 * `maxUsersPerJob` users and 100 MB. One import file at a time: read the legacy users in
 * address order into the file (leaving out the ones already in the pool and the ones the
 * trigger would refuse), then create the job, upload, start and poll it, then read its
 * log. Every step is recorded in the progress file before the next begins, so a run
 * killed at any point resumes where it stopped, and no job is ever started twice.
 */
export async function runImport(options: ImportOptions, deps: ImportDeps): Promise<ImportReport> {
  const now = deps.now ?? (() => new Date());
  const facts = await deps.pool.facts();
  const missing = REQUIRED_COLUMNS.filter((column) => !facts.header.includes(column));
  if (missing.length > 0) {
    throw new ImportError(
      `The pool's CSV header (GetCSVHeader) has no ${missing.join(', ')} column: the import signs people in by email.`,
    );
  }
  if (!options.dryRun && !options.roleArn) {
    throw new ImportError(
      '--role-arn is required: import jobs log to CloudWatch through that role.',
    );
  }
  const state = new PoolStateDirectory(options.stateDir, deps.pool.userPoolId);
  const unlock = state.lock();
  try {
    const progress = resumeOrStart(state, deps.pool.userPoolId, options, now());
    const run = new ImportRun(options, deps, facts, state, progress);
    return await run.execute(now);
  } finally {
    unlock();
  }
}

function resumeOrStart(
  state: PoolStateDirectory,
  userPoolId: string,
  options: ImportOptions,
  now: Date,
): Progress {
  const runOptions: RunOptions = {
    dryRun: options.dryRun,
    ...(options.since ? { since: options.since } : {}),
    ...(options.limit ? { limit: options.limit } : {}),
    maxUsersPerJob: options.maxUsersPerJob,
  };
  const previous = state.read();
  if (previous && !previous.finishedAt && !options.restart) {
    if (!sameRunOptions(previous.options, runOptions)) {
      throw new ImportError(
        `Run ${previous.runId} was interrupted with other options (${JSON.stringify(previous.options)}). Run again with those to resume it, or add --restart to drop it (jobs it already started still finish).`,
      );
    }
    return previous;
  }
  const runId = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const progress: Progress = {
    version: 1,
    userPoolId,
    runId,
    startedAt: now.toISOString(),
    options: runOptions,
    listingDone: false,
    read: 0,
    queued: 0,
    chunks: [],
  };
  mkdirSync(state.runDir(runId), { recursive: true, mode: 0o700 });
  state.write(progress);
  return progress;
}

class ImportRun {
  readonly #options: ImportOptions;
  readonly #deps: ImportDeps;
  readonly #facts: PoolFacts;
  readonly #state: PoolStateDirectory;
  readonly #progress: Progress;
  readonly #runDir: string;
  readonly #since: Date | undefined;
  #inPool = new Set<string>();
  /** Users of the chunk being written or run, for the progress bar. */
  #live = { read: 0, done: 0, imported: 0 };

  constructor(
    options: ImportOptions,
    deps: ImportDeps,
    facts: PoolFacts,
    state: PoolStateDirectory,
    progress: Progress,
  ) {
    this.#options = options;
    this.#deps = deps;
    this.#facts = facts;
    this.#state = state;
    this.#progress = progress;
    this.#runDir = state.runDir(progress.runId);
    this.#since = progress.options.since ? new Date(progress.options.since) : undefined;
  }

  async execute(now: () => Date): Promise<ImportReport> {
    const { view } = this.#deps;
    const resumed = this.#progress.chunks.length > 0;
    view.note(
      `${resumed ? 'Resuming' : 'Starting'} run ${this.#progress.runId} into ${this.#deps.pool.userPoolId}${this.#progress.options.dryRun ? ' (dry run: nothing is imported)' : ''}; files in ${this.#runDir}`,
    );
    const limit = this.#progress.options.limit;
    view.start(this.#counts());
    const total = await this.#legacy('count the legacy users', (signal) =>
      this.#deps.legacy.countUsers(this.#since, signal),
    ).catch(() => undefined);
    if (total !== undefined) view.total(limit === undefined ? total : Math.min(total, limit));
    this.#inPool = await this.#deps.pool.emails();
    try {
      for (const chunk of this.#progress.chunks) {
        if (chunk.state !== 'finished') await this.#drive(chunk);
      }
      while (
        !this.#progress.listingDone &&
        (limit === undefined || this.#progress.queued < limit)
      ) {
        const chunk = await this.#writeChunk();
        await this.#drive(chunk);
      }
    } finally {
      view.update(this.#counts());
      view.stop();
    }
    this.#progress.finishedAt = now().toISOString();
    this.#state.write(this.#progress);
    return writeReport(this.#progress, this.#runDir);
  }

  #counts() {
    let uploaded = 0;
    let imported = 0;
    let done = 0;
    for (const chunk of this.#progress.chunks) {
      const leftOut = Object.values(chunk.leftOut).reduce((sum, count) => sum + count, 0);
      done += leftOut;
      if (chunk.state === 'uploaded' || chunk.state === 'started' || chunk.state === 'finished') {
        uploaded += this.#progress.options.dryRun ? 0 : chunk.users;
      }
      if (chunk.result) {
        imported += chunk.result.imported;
        done += chunk.users;
      }
    }
    return {
      read: this.#progress.read + this.#live.read,
      uploaded,
      imported: imported + this.#live.imported,
      done: done + this.#live.done,
    };
  }

  #save(): void {
    this.#state.write(this.#progress);
    this.#deps.view.update(this.#counts());
  }

  /** Reads legacy users from the cursor into the next import file, and records it. */
  async #writeChunk(): Promise<ChunkRecord> {
    const progress = this.#progress;
    const index = progress.chunks.length + 1;
    const base = `job-${String(index).padStart(4, '0')}`;
    const csvFd = openSync(path.join(this.#runDir, `${base}.csv`), 'w', 0o600);
    const leftFd = openSync(path.join(this.#runDir, `${base}.left.jsonl`), 'w', 0o600);
    const header = this.#facts.header;
    const mfa = this.#facts.mfaRequired ? 'TRUE' : 'FALSE';
    let bytes = writeSync(csvFd, `${header.join(',')}\n`);
    let users = 0;
    let read = 0;
    const leftOut: Record<string, number> = {};
    let cursor = progress.cursor;
    let listingDone = false;
    const room = (): number =>
      Math.min(
        this.#options.maxUsersPerJob - users,
        (progress.options.limit ?? Number.POSITIVE_INFINITY) - progress.queued - users,
      );
    this.#live = { read: 0, done: 0, imported: 0 };
    try {
      while (room() > 0 && bytes < FILE_BYTES_LIMIT) {
        const limit = Math.min(PAGE_SIZE, room());
        const page = await this.#legacy('read the legacy users', (signal) =>
          this.#deps.legacy.listUsers(
            {
              limit,
              ...(cursor ? { after: cursor } : {}),
              ...(this.#since ? { since: this.#since } : {}),
            },
            signal,
          ),
        );
        for (const user of page.users) {
          read += 1;
          const verdict = importVerdict(user, this.#deps.settings);
          if ('refused' in verdict || this.#inPool.has(verdict.email)) {
            const reason = 'refused' in verdict ? verdict.refused : 'in_pool';
            leftOut[reason] = (leftOut[reason] ?? 0) + 1;
            writeSync(leftFd, `${JSON.stringify({ email: user.email, reason })}\n`);
            continue;
          }
          bytes += writeSync(
            csvFd,
            importCsvLine(header, {
              email: verdict.email,
              email_verified: 'TRUE',
              ...(verdict.name && header.includes('name') ? { name: verdict.name } : {}),
              'cognito:mfa_enabled': mfa,
              'cognito:username': verdict.email,
            }),
          );
          users += 1;
        }
        this.#live = { read, done: read - users, imported: 0 };
        this.#deps.view.update(this.#counts());
        cursor = page.next;
        if (!page.next) {
          listingDone = true;
          break;
        }
      }
      fsyncSync(csvFd);
      fsyncSync(leftFd);
    } finally {
      closeSync(csvFd);
      closeSync(leftFd);
    }
    const chunk: ChunkRecord = {
      index,
      file: `${base}.csv`,
      jobName: `authstack-import-${progress.runId}-${index}`,
      users,
      leftOut,
      state: users > 0 ? 'written' : 'finished',
      ...(users > 0
        ? {}
        : { result: { status: 'Empty', imported: 0, skipped: 0, failed: 0, notProcessed: 0 } }),
    };
    progress.chunks.push(chunk);
    progress.read += read;
    progress.queued += users;
    progress.listingDone = listingDone;
    if (cursor) progress.cursor = cursor;
    this.#live = { read: 0, done: 0, imported: 0 };
    this.#save();
    return chunk;
  }

  /** Takes one import file from wherever it was left to a finished job. */
  async #drive(chunk: ChunkRecord): Promise<void> {
    const { pool } = this.#deps;
    const file = path.join(this.#runDir, chunk.file);
    if (this.#progress.options.dryRun) {
      chunk.state = 'finished';
      chunk.result = { status: 'DryRun', imported: 0, skipped: 0, failed: 0, notProcessed: 0 };
      return this.#save();
    }
    if (chunk.state === 'written') {
      this.#checkAborted();
      // A job this chunk created just before an interruption is taken over, not left behind.
      const job =
        (await pool.findCreatedJob(chunk.jobName)) ??
        (await pool.createJob(chunk.jobName, this.#options.roleArn ?? ''));
      chunk.jobId = job.JobId;
      chunk.preSignedUrl = job.PreSignedUrl;
      chunk.state = 'created';
      this.#save();
    }
    const jobId = chunk.jobId ?? '';
    if (chunk.state === 'created') {
      this.#checkAborted();
      const refusal = await pool.upload(chunk.preSignedUrl ?? '', file);
      if (refusal) {
        const job = await pool.describeJob(jobId);
        if (job.Status === 'Created' && /expired/i.test(refusal)) {
          // The URL lives 15 minutes: a run resumed later needs a new job for this file.
          delete chunk.jobId;
          delete chunk.preSignedUrl;
          chunk.jobName = `${chunk.jobName}-r`;
          chunk.state = 'written';
          this.#save();
          return this.#drive(chunk);
        }
        if (job.Status === 'Created') {
          throw new ImportError(`The upload of ${chunk.file} was refused: ${refusal}`);
        }
      }
      chunk.state = 'uploaded';
      this.#save();
    }
    if (chunk.state === 'uploaded') {
      this.#checkAborted();
      const job = await pool.describeJob(jobId);
      if (job.Status === 'Created') await pool.startJob(jobId);
      chunk.state = 'started';
      this.#save();
    }
    if (chunk.state === 'started') await this.#finish(chunk, jobId, file);
  }

  /** Polls the job to its end, then reads its log for the users it did not import. */
  async #finish(chunk: ChunkRecord, jobId: string, file: string): Promise<void> {
    const { pool, view } = this.#deps;
    let job = await pool.describeJob(jobId);
    while (!FINISHED_JOB_STATES.has(job.Status ?? '')) {
      this.#live = {
        read: 0,
        done: (job.ImportedUsers ?? 0) + (job.SkippedUsers ?? 0) + (job.FailedUsers ?? 0),
        imported: job.ImportedUsers ?? 0,
      };
      view.update(this.#counts());
      await sleep(this.#options.pollIntervalMs, undefined, { signal: this.#deps.signal });
      job = await pool.describeJob(jobId);
    }
    const imported = job.ImportedUsers ?? 0;
    const skipped = job.SkippedUsers ?? 0;
    const failed = job.FailedUsers ?? 0;
    const handled = imported + skipped + failed;
    const log = await this.#readLog(chunk, jobId, handled);
    const notImported = new Map(log.map((line) => [line.line, line]));
    const usernameColumn = this.#facts.header.indexOf('cognito:username');
    const outcomesFd = openSync(file.replace(/\.csv$/, '.outcomes.jsonl'), 'w', 0o600);
    // A job works through its file in order: lines past the last one it handled were never reached.
    const lastHandled = handled + 1;
    let notProcessed = 0;
    try {
      let line = 0;
      for await (const text of createInterface({ input: createReadStream(file) })) {
        line += 1;
        const entry = notImported.get(line);
        if (line === 1 || (!entry && line <= lastHandled)) continue;
        const email = splitImportCsvLine(text)[usernameColumn] ?? '';
        const outcome = entry
          ? { outcome: entry.outcome, reason: entry.message }
          : {
              outcome: 'NOT_PROCESSED',
              reason: `The job ended ${job.Status ?? ''} before this line${job.CompletionMessage ? `: ${job.CompletionMessage}` : '.'}`,
            };
        if (!entry) notProcessed += 1;
        writeSync(outcomesFd, `${JSON.stringify({ email, line, ...outcome })}\n`);
      }
      fsyncSync(outcomesFd);
    } finally {
      closeSync(outcomesFd);
    }
    chunk.result = {
      status: job.Status ?? 'Unknown',
      imported,
      skipped,
      failed,
      notProcessed,
      ...(job.CompletionMessage ? { message: job.CompletionMessage } : {}),
    };
    chunk.state = 'finished';
    this.#live = { read: 0, done: 0, imported: 0 };
    this.#save();
  }

  /**
   * The job's SKIPPED and FAILED lines. CloudWatch may lag the job's counters by a few
   * seconds, so the log is read again (up to five times) until it has a line for every
   * user the job handled.
   */
  async #readLog(chunk: ChunkRecord, jobId: string, handled: number): Promise<JobLogLine[]> {
    for (let attempt = 1; ; attempt += 1) {
      const log = await this.#deps.pool.jobLog(this.#facts.name, {
        id: jobId,
        name: chunk.jobName,
      });
      if (log.lines >= handled || attempt === 5) return log.notImported;
      await sleep(this.#options.pollIntervalMs, undefined, { signal: this.#deps.signal });
    }
  }

  #checkAborted(): void {
    if (this.#deps.signal.aborted) throw this.#deps.signal.reason;
  }

  async #legacy<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await call(this.#deps.signal);
    } catch (error) {
      if (this.#deps.signal.aborted) throw error;
      if (error instanceof ImportError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new ImportError(`Cannot ${what} from the legacy store: ${message}`, { cause: error });
    }
  }
}
