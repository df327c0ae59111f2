/**
 * Benchmarks the bulk import (issue 14): BENCH_IMPORT_USERS (default 100,000) legacy users
 * generated into the embedded legacy Postgres, then imported into a local pool process by
 * the built CLI, as an operator runs it. Prints the CLI's wall time end to end, its peak
 * RSS, and the longest wait between two of its progress lines (its stderr is a pipe here,
 * so the bar prints one line a second), from its first line to its last. Goals: ≤ 60 s, ≤ 200 MB, progress at least once a second.
 * Run with `npm run bench -w @authstack/trigger` (after `npm run build`).
 */
import { readFileSync } from 'node:fs';
import { DescribeUserImportJobCommand } from '@aws-sdk/client-cognito-identity-provider';
import bcrypt from 'bcryptjs';
import { Client } from 'pg';
import { benchHeader } from '@authstack/shared/testing';
import { createTestUserPool, startLocalPool } from '@authstack/local-pool/testing';
import { startLegacyDatabase } from '../src/testing';
import { reportOf, startCli, temporaryStateDir } from '../test/import/support';

const USERS = Number(process.env.BENCH_IMPORT_USERS ?? 100_000);
const GOALS = { seconds: 60, rssMb: 200, progressGapSeconds: 1 };

const write = (line: string) => process.stdout.write(`${line}\n`);
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Peak resident memory of a running process (VmHWM), in MB; undefined once it is gone. */
function peakRssMb(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  write(benchHeader(`bulk import bench: ${USERS} legacy users`));
  const db = await startLegacyDatabase();
  const pool = await startLocalPool({ env: { LOG_LEVEL: 'warn' } });
  try {
    const generated = performance.now();
    const admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
    const hash = await bcrypt.hash('Bulk-Passw0rd!', 4);
    await admin.query(
      `INSERT INTO legacy_users (email, password_hash, name, email_verified)
       SELECT 'bench.' || n || '@example.com', $1, 'Bench User ' || n, true
       FROM generate_series(1, $2::int) AS n`,
      [hash, USERS],
    );
    await admin.end();
    write(`generated ${USERS} legacy users in ${round((performance.now() - generated) / 1000)} s`);

    const userPool = await createTestUserPool(pool);
    const started = performance.now();
    const cli = startCli(['--json', '--poll-interval', '250'], {
      LEGACY_DATABASE_URL: db.url,
      COGNITO_ENDPOINT: pool.endpoint,
      USER_POOL_ID: userPool.userPoolId,
      USER_IMPORT_ROLE_ARN: 'arn:aws:iam::123456789012:role/CognitoUserImport',
      IMPORT_STATE_DIR: temporaryStateDir(),
    });
    const progressAt: number[] = [];
    let rss = 0;
    cli.child.stderr?.on('data', (chunk: Buffer) => {
      const now = performance.now();
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) progressAt.push(now);
      }
    });
    const sampler = setInterval(() => {
      rss = Math.max(rss, peakRssMb(cli.child.pid ?? 0) ?? 0);
    }, 50);
    const run = await cli.done;
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    if (run.code !== 0) throw new Error(`the CLI exited ${run.code}: ${run.stderr}`);
    const report = reportOf(run);
    const job = report.jobs[0];
    const described = await pool.client.send(
      new DescribeUserImportJobCommand({
        UserPoolId: userPool.userPoolId,
        JobId: job?.jobId ?? '',
      }),
    );
    const gaps = progressAt.slice(1).map((at, i) => (at - (progressAt[i] ?? at)) / 1000);
    const maxGap = Math.max((progressAt[0] ?? performance.now()) / 1000 - started / 1000, ...gaps);
    const figures = {
      users: USERS,
      imported: report.imported,
      poolImportedUsers: described.UserImportJob?.ImportedUsers,
      jobs: report.jobs.length,
      seconds: round(seconds),
      usersPerSecond: Math.round(report.imported / seconds),
      peakRssMb: round(rss),
      progressLines: progressAt.length,
      longestProgressGapSeconds: round(maxGap, 2),
      firstLineAfterSeconds: round(((progressAt[0] ?? 0) - started) / 1000, 2),
    };
    write(JSON.stringify(figures));
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    write(
      [
        `end to end ${figures.seconds} s (goal ≤ ${GOALS.seconds} s: ${verdict(seconds <= GOALS.seconds)})`,
        `peak RSS ${figures.peakRssMb} MB (goal ≤ ${GOALS.rssMb} MB: ${verdict(rss <= GOALS.rssMb)})`,
        `progress every ≤ ${figures.longestProgressGapSeconds} s (goal ≤ ${GOALS.progressGapSeconds} s, ±0.1 s timer slack: ${verdict(maxGap <= GOALS.progressGapSeconds + 0.1)})`,
      ].join('\n'),
    );
    if (report.imported !== report.queued || report.imported < USERS) {
      throw new Error(`imported ${report.imported} of ${report.queued}`);
    }
  } finally {
    await pool.stop();
    await db.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
