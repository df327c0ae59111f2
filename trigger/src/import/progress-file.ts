import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ImportError } from './errors';

/** Where one import file is in its life; each step is recorded before the next begins. */
export type ChunkState = 'written' | 'created' | 'uploaded' | 'started' | 'finished';

const chunkSchema = z.object({
  index: z.number().int().positive(),
  /** The CSV, `job-0001.csv`, and beside it what was left out (`.left.jsonl`) and the job's verdicts (`.outcomes.jsonl`). */
  file: z.string(),
  jobName: z.string(),
  users: z.number().int().nonnegative(),
  /** Legacy users read into this chunk but not put in its file, by reason (`in_pool` or a refusal). */
  leftOut: z.record(z.string(), z.number().int().nonnegative()),
  state: z.enum(['written', 'created', 'uploaded', 'started', 'finished']),
  jobId: z.string().optional(),
  preSignedUrl: z.string().optional(),
  result: z
    .object({
      status: z.string(),
      imported: z.number().int().nonnegative(),
      skipped: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
      /** Rows the job never reached (a stopped or failed job). */
      notProcessed: z.number().int().nonnegative(),
      message: z.string().optional(),
    })
    .optional(),
});
export type ChunkRecord = z.infer<typeof chunkSchema>;

const runOptionsSchema = z.object({
  dryRun: z.boolean(),
  since: z.string().optional(),
  limit: z.number().int().positive().optional(),
  maxUsersPerJob: z.number().int().positive(),
});
export type RunOptions = z.infer<typeof runOptionsSchema>;

const progressSchema = z.object({
  version: z.literal(1),
  userPoolId: z.string(),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  options: runOptionsSchema,
  /** The legacy listing's position after the last written chunk. */
  cursor: z.string().optional(),
  listingDone: z.boolean(),
  /** Legacy users read into written chunks, and of those put in import files. */
  read: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
  chunks: z.array(chunkSchema),
});
export type Progress = z.infer<typeof progressSchema>;

export const sameRunOptions = (a: RunOptions, b: RunOptions): boolean =>
  a.dryRun === b.dryRun &&
  a.since === b.since &&
  a.limit === b.limit &&
  a.maxUsersPerJob === b.maxUsersPerJob;

/**
 * The import's small state directory for one pool: `progress.json` (where the current run
 * is; rewritten atomically after every step, so a SIGKILL at any point leaves the last
 * step's state), a lock against a second import of the same pool, and one directory per
 * run with its CSV files and report.
 */
export class PoolStateDirectory {
  readonly dir: string;
  readonly #progressFile: string;
  readonly #lockFile: string;

  constructor(stateDir: string, userPoolId: string) {
    this.dir = path.join(path.resolve(stateDir), userPoolId);
    this.#progressFile = path.join(this.dir, 'progress.json');
    this.#lockFile = path.join(this.dir, 'lock');
  }

  runDir(runId: string): string {
    return path.join(this.dir, 'runs', runId);
  }

  /** Takes the pool's lock, or refuses while a live process holds it; a dead holder's lock is taken over. */
  lock(): () => void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(this.#lockFile, 'wx', 0o600);
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return () => rmSync(this.#lockFile, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number(readFileSync(this.#lockFile, 'utf8'));
        if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
          throw new ImportError(
            `Another import of this pool is running (process ${holder}); wait for it, or stop it.`,
          );
        }
        rmSync(this.#lockFile, { force: true });
      }
    }
    throw new ImportError(`Cannot take the lock ${this.#lockFile}`);
  }

  read(): Progress | undefined {
    let text: string;
    try {
      text = readFileSync(this.#progressFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = progressSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new ImportError(
        `${this.#progressFile} is not a progress file this version understands; move it away to start over.`,
      );
    }
    return parsed.data;
  }

  write(progress: Progress): void {
    writeFileDurably(this.#progressFile, `${JSON.stringify(progress, null, 2)}\n`);
  }
}

/** Writes a file so that a crash leaves either the old or the new content, never a mix. */
export function writeFileDurably(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
