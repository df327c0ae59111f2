#!/usr/bin/env node
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  ConfigError,
  createLogger,
  IMPORT_CSV_MAX_USERS,
  parseConfig,
  takeOverSdkRuntimeNotice,
} from '@authstack/shared';
import { triggerConfigSchema } from '../config';
import { createTriggerRuntime } from '../runtime';
import { ProgressBar } from './progress-bar';
import type { ImportReport } from './report';
import { runImport } from './run-import';
import { ImportError } from './errors';
import { ImportUserPool } from './user-pool';

/** Exit codes: 0 the run finished (failures are in its report); 1 it could not; 2 bad usage; 130 interrupted. */
const EXIT = { failed: 1, usage: 2, interrupted: 130 } as const;

/** The repository's git-ignored `.local/` (this file is trigger/dist/import/cli.js). */
const DEFAULT_STATE_DIR = path.resolve(__dirname, '../../../.local/import');

const positiveInt =
  (name: string, max = Number.MAX_SAFE_INTEGER) =>
  (value: string) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1 || number > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}.`);
    }
    return number;
  };

const instant = (value: string): string => {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('--since must be an ISO 8601 date or time, e.g. 2024-01-31.');
  }
  return date.toISOString();
};

const userPoolId = (value: string): string => {
  if (!/^[\w-]+_[0-9a-zA-Z]+$/.test(value) || value.length > 55) {
    throw new InvalidArgumentError('--user-pool-id must look like us-east-1_AbC123.');
  }
  return value;
};

const program = new Command('authstack-import')
  .description(
    'Imports the legacy users who are not in the user pool yet, with Cognito user import jobs. They sign in after a password reset (import carries no passwords). Resumable: run it again after an interruption. Reads the legacy store with the trigger settings (LEGACY_STORE, LEGACY_DATABASE_URL, LEGACY_LIST_URL, ...).',
  )
  .addOption(
    new Option(
      '--user-pool-id <id>',
      'the user pool to import into (the only pool at a local --endpoint when left out)',
    )
      .env('USER_POOL_ID')
      .argParser(userPoolId),
  )
  .addOption(
    new Option('--region <region>', "the pool's region (default: from the pool id)").env(
      'AWS_REGION',
    ),
  )
  .addOption(
    new Option('--endpoint <url>', "the local pool's URL; real Cognito when left out").env(
      'COGNITO_ENDPOINT',
    ),
  )
  .addOption(
    new Option(
      '--role-arn <arn>',
      'the IAM role import jobs log to CloudWatch with (stack output UserImportRoleArn)',
    ).env('USER_IMPORT_ROLE_ARN'),
  )
  .option('--dry-run', 'write the CSV files and the report; import nobody', false)
  .option(
    '--since <date>',
    'only legacy users created at or after this date (LEGACY_CREATED_AT_COLUMN)',
    instant,
  )
  .option('--limit <n>', 'import at most this many users in this run', positiveInt('--limit'))
  .option(
    '--max-users-per-job <n>',
    `users per import job (Cognito allows ${IMPORT_CSV_MAX_USERS})`,
    positiveInt('--max-users-per-job', IMPORT_CSV_MAX_USERS),
    IMPORT_CSV_MAX_USERS,
  )
  .addOption(
    new Option('--state-dir <dir>', 'where progress, CSV files and reports are kept')
      .env('IMPORT_STATE_DIR')
      .default(DEFAULT_STATE_DIR, '.local/import in this repository'),
  )
  .option(
    '--poll-interval <ms>',
    'how often a running job is looked at',
    positiveInt('--poll-interval', 60_000),
    2000,
  )
  .option('--restart', 'drop an interrupted run instead of resuming it', false)
  .option('--json', 'print the report as JSON on stdout', false)
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : EXIT.usage);
  })
  .showHelpAfterError('(add --help for the options)');

interface CliOptions {
  userPoolId?: string;
  region?: string;
  endpoint?: string;
  roleArn?: string;
  dryRun: boolean;
  since?: string;
  limit?: number;
  maxUsersPerJob: number;
  stateDir: string;
  pollInterval: number;
  restart: boolean;
  json: boolean;
}

function summary(report: ImportReport): string {
  const reasons = Object.entries(report.failedByReason)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  return [
    report.dryRun
      ? `Dry run: ${report.queued} users would be imported (nothing was).`
      : `Imported ${report.imported} users in ${report.jobs.length} job(s).`,
    `Read ${report.read} legacy users; ${report.skippedInPool} already in the pool; ${report.failed} not imported${reasons ? ` (${reasons})` : ''}.`,
    `Report: ${report.files.report}`,
    ...(report.failed > 0 ? [`Failures: ${report.files.failures}`] : []),
  ].join('\n');
}

async function main(): Promise<number> {
  program.parse();
  const runtimeNotice = takeOverSdkRuntimeNotice();
  if (runtimeNotice) process.stderr.write(`note: ${runtimeNotice}\n`);
  const options = program.opts<CliOptions>();
  let legacyConfig;
  try {
    legacyConfig = parseConfig(triggerConfigSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(
      `error: ${error.message} (the legacy store is read with the trigger's settings)\n`,
    );
    return EXIT.usage;
  }
  const endpoint = options.endpoint;
  // The local pool takes any credentials; real Cognito uses the default AWS chain.
  const credentials =
    endpoint && !process.env.AWS_ACCESS_KEY_ID
      ? { accessKeyId: 'local', secretAccessKey: 'local' }
      : undefined;
  let poolId = options.userPoolId;
  const regionOf = (id: string | undefined) => options.region ?? id?.split('_')[0] ?? 'us-east-1';
  if (!poolId && endpoint) {
    const probe = new ImportUserPool({
      userPoolId: '',
      region: regionOf(undefined),
      endpoint,
      ...(credentials ? { credentials } : {}),
    });
    poolId = await probe.onlyPoolId().finally(() => probe.close());
  }
  if (!poolId) {
    process.stderr.write('error: --user-pool-id is required (or USER_POOL_ID)\n');
    return EXIT.usage;
  }
  const pool = new ImportUserPool({
    userPoolId: poolId,
    region: regionOf(poolId),
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  });
  const logger = createLogger({ name: 'import', level: 'warn', destination: process.stderr });
  const runtime = await createTriggerRuntime(legacyConfig, logger);
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const view = new ProgressBar();
  try {
    await runtime.users
      .ping(AbortSignal.timeout(legacyConfig.LEGACY_TIMEOUT_MS))
      .catch((error: unknown) => {
        throw new ImportError(
          `Cannot reach the legacy store (${legacyConfig.LEGACY_STORE}): ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      });
    const report = await runImport(
      {
        stateDir: options.stateDir,
        dryRun: options.dryRun,
        ...(options.roleArn ? { roleArn: options.roleArn } : {}),
        ...(options.since ? { since: options.since } : {}),
        ...(options.limit ? { limit: options.limit } : {}),
        maxUsersPerJob: options.maxUsersPerJob,
        pollIntervalMs: options.pollInterval,
        restart: options.restart,
      },
      { pool, legacy: runtime.users, settings: runtime.settings, view, signal: interrupt.signal },
    );
    process.stderr.write(`${summary(report)}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } catch (error) {
    view.stop();
    if (interrupt.signal.aborted) {
      process.stderr.write(
        'Interrupted. Run the same command again to resume; started jobs go on in the pool.\n',
      );
      return EXIT.interrupted;
    }
    if (error instanceof ImportError) {
      process.stderr.write(`error: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  } finally {
    pool.close();
    await runtime.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `error: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.failed;
  },
);
