import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ListUserImportJobsCommand,
  ListUsersCommand,
  type CognitoIdentityProviderClient,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { Client } from 'pg';

/** The built CLI, as `npm run import` runs it. */
export const CLI = path.resolve(__dirname, '../../dist/import/cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliProcess {
  child: ReturnType<typeof spawn>;
  done: Promise<CliRun>;
}

/** Starts the import CLI with exactly `env` (plus PATH), never the test's own environment. */
export function startCli(args: readonly string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export const runCli = (args: readonly string[], env: Record<string, string>): Promise<CliRun> =>
  startCli(args, env).done;

export const temporaryStateDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'import-state-'));

/** The report the run wrote (its path is the `--json` output's `files.report`). */
export function reportOf(run: CliRun): Record<string, unknown> & {
  imported: number;
  queued: number;
  read: number;
  skippedInPool: number;
  failed: number;
  failedByReason: Record<string, number>;
  jobs: { jobId?: string; users: number; status?: string; imported: number }[];
  files: { report: string; failures: string; csv: string[] };
} {
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  const printed = JSON.parse(line) as { files: { report: string } };
  return JSON.parse(readFileSync(printed.files.report, 'utf8')) as ReturnType<typeof reportOf>;
}

/** `failures.csv` as rows of [email, stage, reason]. */
export function failuresOf(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
}

/** Every user of the pool. */
export async function poolUsers(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<UserType[]> {
  const users: UserType[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListUsersCommand({
        UserPoolId: userPoolId,
        ...(token ? { PaginationToken: token } : {}),
      }),
    );
    users.push(...(page.Users ?? []));
    token = page.PaginationToken;
  } while (token);
  return users;
}

export const emailOf = (user: UserType): string =>
  user.Attributes?.find((attribute) => attribute.Name === 'email')?.Value ?? '';

/** How many users all the pool's import jobs together imported. */
export async function importedByJobs(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<{ jobs: number; imported: number }> {
  const { UserImportJobs = [] } = await client.send(
    new ListUserImportJobsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
  );
  return {
    jobs: UserImportJobs.length,
    imported: UserImportJobs.reduce((sum, job) => sum + (job.ImportedUsers ?? 0), 0),
  };
}

/** Adds legacy users straight into the legacy table (as the owner), all with one password hash. */
export async function addLegacyUsers(
  adminUrl: string,
  users: readonly { email: string; name?: string; verified?: boolean; createdAt?: string }[],
  passwordHash: string,
): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const user of users) {
      await client.query(
        `INSERT INTO legacy_users (email, password_hash, name, email_verified, created_at)
         VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now()))`,
        [
          user.email,
          passwordHash,
          user.name ?? null,
          user.verified ?? true,
          user.createdAt ?? null,
        ],
      );
    }
  } finally {
    await client.end();
  }
}

/**
 * Waits until the pool's progress file (written by a running CLI) has chunks for which
 * `reached` holds, and returns them: the moment a test interrupts a run.
 */
export async function waitForProgress(
  stateDir: string,
  userPoolId: string,
  reached: (chunks: { state: string }[]) => boolean,
): Promise<{ state: string }[]> {
  const file = path.join(stateDir, userPoolId, 'progress.json');
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (!existsSync(file)) continue;
    const { chunks } = JSON.parse(readFileSync(file, 'utf8')) as { chunks: { state: string }[] };
    if (reached(chunks)) return chunks;
  }
}
