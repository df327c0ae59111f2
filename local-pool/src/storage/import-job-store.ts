import type Database from 'better-sqlite3';
import type {
  ImportJobEvent,
  ImportJobRecord,
  ImportJobStatus,
  NewImportJob,
} from '../domain/import-jobs';

interface ImportJobRow {
  seq: number;
  id: string;
  pool_id: string;
  name: string;
  role_arn: string;
  upload_token: string;
  pre_signed_url: string;
  upload_expires_at: number;
  uploaded: number;
  status: string;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  imported: number;
  skipped: number;
  failed: number;
  next_line: number;
  completion_message: string | null;
}

const COLUMNS = `seq, id, pool_id, name, role_arn, upload_token, pre_signed_url, upload_expires_at,
  uploaded, status, created_at, started_at, completed_at, imported, skipped, failed, next_line,
  completion_message`;

const toJob = (row: ImportJobRow): ImportJobRecord => ({
  seq: row.seq,
  id: row.id,
  poolId: row.pool_id,
  name: row.name,
  roleArn: row.role_arn,
  uploadToken: row.upload_token,
  preSignedUrl: row.pre_signed_url,
  uploadExpiresAt: row.upload_expires_at,
  uploaded: row.uploaded === 1,
  status: row.status as ImportJobStatus,
  createdAt: row.created_at,
  startedAt: row.started_at,
  completedAt: row.completed_at,
  imported: row.imported,
  skipped: row.skipped,
  failed: row.failed,
  nextLine: row.next_line,
  completionMessage: row.completion_message,
});

/** What a job's update may change; left-out members keep their stored value. */
export type ImportJobChanges = Partial<
  Pick<
    ImportJobRecord,
    | 'status'
    | 'startedAt'
    | 'completedAt'
    | 'imported'
    | 'skipped'
    | 'failed'
    | 'nextLine'
    | 'completionMessage'
  >
>;

/**
 * User import jobs, on the pool's SQLite connection: calls made inside
 * `PoolStore.transaction` commit with the rest of the operation.
 */
export class ImportJobStore {
  readonly #s;

  constructor(db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      insert: p(
        `INSERT INTO import_jobs (id, pool_id, name, role_arn, upload_token, pre_signed_url,
           upload_expires_at, status, created_at)
         VALUES (@id, @poolId, @name, @roleArn, @uploadToken, @preSignedUrl, @uploadExpiresAt,
           @status, @createdAt)`,
      ),
      byId: p(`SELECT ${COLUMNS} FROM import_jobs WHERE pool_id = ? AND id = ?`),
      byToken: p(`SELECT ${COLUMNS} FROM import_jobs WHERE upload_token = ?`),
      list: p(
        `SELECT ${COLUMNS} FROM import_jobs WHERE pool_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      ),
      runnable: p(
        `SELECT ${COLUMNS} FROM import_jobs WHERE status IN ('Pending', 'InProgress', 'Stopping')
         ORDER BY started_at, seq LIMIT 1`,
      ),
      putCsv: p('UPDATE import_jobs SET csv = ?, uploaded = 1 WHERE id = ?'),
      csv: p('SELECT csv FROM import_jobs WHERE id = ?'),
      dropCsv: p('UPDATE import_jobs SET csv = NULL WHERE id = ?'),
      update: p(
        `UPDATE import_jobs SET status = @status, started_at = @startedAt,
           completed_at = @completedAt, imported = @imported, skipped = @skipped,
           failed = @failed, next_line = @nextLine, completion_message = @completionMessage
         WHERE id = @id`,
      ),
      addEvent: p(
        'INSERT OR REPLACE INTO import_job_events (job_id, line, outcome, message) VALUES (?, ?, ?, ?)',
      ),
      started: p(
        `SELECT ${COLUMNS} FROM import_jobs WHERE pool_id = ? AND started_at IS NOT NULL ORDER BY seq`,
      ),
      eventsBetween: p(
        'SELECT line, outcome, message FROM import_job_events WHERE job_id = ? AND line BETWEEN ? AND ? ORDER BY line',
      ),
    };
  }

  insert(job: NewImportJob): ImportJobRecord {
    this.#s.insert.run(job);
    return this.get(job.poolId, job.id) as ImportJobRecord;
  }
  get(poolId: string, id: string): ImportJobRecord | undefined {
    const row = this.#s.byId.get(poolId, id) as ImportJobRow | undefined;
    return row && toJob(row);
  }
  byUploadToken(token: string): ImportJobRecord | undefined {
    const row = this.#s.byToken.get(token) as ImportJobRow | undefined;
    return row && toJob(row);
  }
  /** A pool's jobs, newest first, created before the job numbered `beforeSeq`. */
  list(poolId: string, beforeSeq: number, limit: number): ImportJobRecord[] {
    return (this.#s.list.all(poolId, beforeSeq, limit) as ImportJobRow[]).map(toJob);
  }
  /** The job the runner should work on next: the earliest started that has not ended. */
  nextRunnable(): ImportJobRecord | undefined {
    const row = this.#s.runnable.get() as ImportJobRow | undefined;
    return row && toJob(row);
  }
  putCsv(id: string, csv: Buffer): void {
    this.#s.putCsv.run(csv, id);
  }
  csv(id: string): Buffer | undefined {
    const row = this.#s.csv.get(id) as { csv: Buffer | null } | undefined;
    return row?.csv ?? undefined;
  }
  dropCsv(id: string): void {
    this.#s.dropCsv.run(id);
  }
  update(job: ImportJobRecord, changes: ImportJobChanges): ImportJobRecord {
    const next = { ...job, ...changes };
    this.#s.update.run({
      id: job.id,
      status: next.status,
      startedAt: next.startedAt,
      completedAt: next.completedAt,
      imported: next.imported,
      skipped: next.skipped,
      failed: next.failed,
      nextLine: next.nextLine,
      completionMessage: next.completionMessage,
    });
    return next;
  }
  addEvent(jobId: string, event: ImportJobEvent): void {
    this.#s.addEvent.run(jobId, event.line, event.outcome, event.message);
  }
  /** A pool's jobs that have been started (those with a CloudWatch log stream), oldest first. */
  started(poolId: string): ImportJobRecord[] {
    return (this.#s.started.all(poolId) as ImportJobRow[]).map(toJob);
  }
  /** The stored (SKIPPED and FAILED) events of lines `firstLine` to `lastLine`, in line order. */
  eventsBetween(jobId: string, firstLine: number, lastLine: number): ImportJobEvent[] {
    return this.#s.eventsBetween.all(jobId, firstLine, lastLine) as ImportJobEvent[];
  }
}
