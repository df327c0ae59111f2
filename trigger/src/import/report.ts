import { createReadStream, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Progress } from './progress-file';
import { writeFileDurably } from './progress-file';

/** What one run did; written as `report.json` beside its CSV files, failures in `failures.csv`. */
export interface ImportReport {
  userPoolId: string;
  runId: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** Legacy users read (one per address). */
  read: number;
  /** Users written to import files: what a dry run would import. */
  queued: number;
  imported: number;
  /** Already in the pool: seen before the file was written, or skipped by the job ("The user already exists."). */
  skippedInPool: number;
  /** Not imported for a reason the operator can look at, each listed in `failures.csv`. */
  failed: number;
  failedByReason: Record<string, number>;
  jobs: {
    file: string;
    jobName: string;
    jobId?: string;
    users: number;
    status?: string;
    imported: number;
    skipped: number;
    failed: number;
    completionMessage?: string;
  }[];
  files: { report: string; failures: string; csv: string[] };
}

/** A field of the failures CSV (RFC 4180, for spreadsheets): quoted when it must be. */
const quote = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

interface Entry {
  email: string;
  reason: string;
  outcome?: string;
}

async function* entries(file: string): AsyncGenerator<Entry> {
  const lines = createInterface({ input: createReadStream(file) });
  for await (const line of lines) {
    if (line) yield JSON.parse(line) as Entry;
  }
}

/** Totals the run's chunks, writes `failures.csv` and `report.json`, and returns the report. */
export async function writeReport(progress: Progress, runDir: string): Promise<ImportReport> {
  const failures = ['email,stage,reason'];
  const failedByReason: Record<string, number> = {};
  const count = (reason: string) => {
    failedByReason[reason] = (failedByReason[reason] ?? 0) + 1;
  };
  let imported = 0;
  let skippedInPool = 0;
  for (const chunk of progress.chunks) {
    const base = path.join(runDir, chunk.file.replace(/\.csv$/, ''));
    skippedInPool += chunk.leftOut.in_pool ?? 0;
    for await (const entry of entries(`${base}.left.jsonl`)) {
      if (entry.reason === 'in_pool') continue;
      count(entry.reason);
      failures.push([entry.email, 'check', entry.reason].map(quote).join(','));
    }
    if (!chunk.result || chunk.result.status === 'DryRun' || chunk.result.status === 'Empty')
      continue;
    imported += chunk.result.imported;
    skippedInPool += chunk.result.skipped;
    for await (const entry of entries(`${base}.outcomes.jsonl`)) {
      if (entry.outcome === 'SKIPPED') continue;
      count(entry.outcome === 'FAILED' ? 'job_failed' : 'job_not_processed');
      failures.push([entry.email, 'job', entry.reason].map(quote).join(','));
    }
  }
  const files = {
    report: path.join(runDir, 'report.json'),
    failures: path.join(runDir, 'failures.csv'),
    csv: progress.chunks
      .filter((chunk) => chunk.users > 0)
      .map((chunk) => path.join(runDir, chunk.file)),
  };
  const report: ImportReport = {
    userPoolId: progress.userPoolId,
    runId: progress.runId,
    dryRun: progress.options.dryRun,
    startedAt: progress.startedAt,
    finishedAt: progress.finishedAt ?? new Date().toISOString(),
    read: progress.read,
    queued: progress.queued,
    imported,
    skippedInPool,
    failed: failures.length - 1,
    failedByReason,
    jobs: progress.chunks
      .filter((chunk) => chunk.users > 0)
      .map((chunk) => ({
        file: chunk.file,
        jobName: chunk.jobName,
        ...(chunk.jobId ? { jobId: chunk.jobId } : {}),
        users: chunk.users,
        ...(chunk.result ? { status: chunk.result.status } : {}),
        imported: chunk.result?.imported ?? 0,
        skipped: chunk.result?.skipped ?? 0,
        failed: chunk.result?.failed ?? 0,
        ...(chunk.result?.message ? { completionMessage: chunk.result.message } : {}),
      })),
    files,
  };
  writeFileSync(files.failures, `${failures.join('\n')}\n`, { mode: 0o600 });
  writeFileDurably(files.report, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
