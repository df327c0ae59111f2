/**
 * The bulk import, end to end: the built CLI as its own process, reading the embedded
 * legacy Postgres through the trigger's adapter and running import jobs in a real local
 * pool process; the imported users then go through the real auth-server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import {
  AdminGetUserCommand,
  GetCSVHeaderCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import bcrypt from 'bcryptjs';
import type { StartedProcess } from '@authstack/shared/testing';
import {
  createTestUserPool,
  readOutbox,
  startLocalPool,
  type LocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import {
  freshLegacyDatabase,
  startTriggerInvokeServer,
  type FreshLegacyDatabase,
  type TriggerInvokeServer,
} from '../../src/testing';
import { startAuthServer } from '../support/auth-server';
import {
  addLegacyUsers,
  emailOf,
  failuresOf,
  importedByJobs,
  poolUsers,
  reportOf,
  runCli,
  startCli,
  temporaryStateDir,
  waitForProgress,
} from './support';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/CognitoUserImport';
/** The demo users the trigger would migrate through forgot-password (verified, enabled). */
const DEMO_IMPORTABLE = [
  'legacy@example.com',
  'legacy.argon@example.com',
  'legacy.reset@example.com',
  'legacy.php@example.com',
  'legacy.mixed@example.com',
  'legacy.weak@example.com',
  'legacy.md5@example.com',
];
const GENERATED = Array.from(
  { length: 24 },
  (_, i) => `bulk.${String(i).padStart(2, '0')}@example.com`,
);
const IMPORTABLE = [...DEMO_IMPORTABLE, ...GENERATED].sort();

describe('npm run import: legacy users into the pool with Cognito import jobs', () => {
  let db: FreshLegacyDatabase;
  let trigger: TriggerInvokeServer;
  let pool: LocalPool;
  let env: (userPool: TestUserPool, stateDir: string) => Record<string, string>;

  beforeAll(async () => {
    db = await freshLegacyDatabase();
    const hash = await bcrypt.hash('Bulk-Passw0rd!', 4);
    await addLegacyUsers(
      db.adminUrl,
      [
        ...GENERATED.map((email, i) => ({
          email,
          name: i === 0 ? 'Doe, Jane' : `Bulk ${i}`,
          createdAt: i < 4 ? '2019-06-01T00:00:00Z' : '2024-06-01T00:00:00Z',
        })),
        { email: 'not-an-email', name: 'Broken Row' },
      ],
      hash,
    );
    trigger = await startTriggerInvokeServer({ legacyDatabaseUrl: db.url });
    pool = await startLocalPool({ lambdaEndpoint: trigger.endpoint });
    env = (userPool, stateDir) => ({
      LEGACY_DATABASE_URL: db.url,
      COGNITO_ENDPOINT: pool.endpoint,
      USER_POOL_ID: userPool.userPoolId,
      USER_IMPORT_ROLE_ARN: ROLE_ARN,
      IMPORT_STATE_DIR: stateDir,
    });
  }, 120_000);
  afterAll(async () => {
    await pool?.stop();
    await trigger?.stop();
    await db?.stop();
  });

  describe('a migration: dry run, lazy sign-ins, the import, the imported users, a second run', () => {
    let userPool: TestUserPool;
    let stateDir: string;
    let auth: StartedProcess;
    let api: string;

    const post = async (route: string, body: unknown) => {
      const response = await fetch(`${api}/v1/api${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: (text ? JSON.parse(text) : {}) as {
          accessToken?: string;
          error?: { code: string };
        },
      };
    };

    beforeAll(async () => {
      userPool = await createTestUserPool(pool, { userMigrationLambdaArn: trigger.functionArn });
      stateDir = temporaryStateDir();
      const server = await startAuthServer({
        cognitoEndpoint: pool.endpoint,
        userPoolId: userPool.userPoolId,
        clientId: userPool.clientId,
        ...(userPool.clientSecret ? { clientSecret: userPool.clientSecret } : {}),
      });
      auth = server.process;
      api = server.url;
    }, 60_000);
    afterAll(async () => {
      await auth?.stop();
    });

    it('a dry run writes the CSV in the pool header with email verified, and the report, and imports nobody', async () => {
      const run = await runCli(['--dry-run', '--json'], env(userPool, stateDir));
      expect(run.stderr).toContain('Dry run');
      // The AWS SDK's eight-line Node notice becomes one line, and none on Node 22 or newer.
      expect(run.stderr).not.toContain('NodeVersionSupportWarning');
      const notices = run.stderr.split('\n').filter((line) => line.includes('January 2027'));
      expect(notices).toHaveLength(Number(process.versions.node.split('.')[0]) >= 22 ? 0 : 1);
      expect(run.code).toBe(0);
      const report = reportOf(run);
      expect(report).toMatchObject({
        dryRun: true,
        read: DEMO_IMPORTABLE.length + 2 + GENERATED.length + 1,
        queued: IMPORTABLE.length,
        imported: 0,
        skippedInPool: 0,
        failed: 3,
        failedByReason: { not_an_email: 1, disabled: 1, email_not_verified: 1 },
      });
      expect(failuresOf(report.files.failures)).toEqual(
        expect.arrayContaining([
          ['not-an-email', 'check', 'not_an_email'],
          ['legacy.disabled@example.com', 'check', 'disabled'],
          ['legacy.unverified@example.com', 'check', 'email_not_verified'],
        ]),
      );
      const [file] = report.files.csv;
      const lines = readFileSync(file ?? '', 'utf8')
        .trim()
        .split('\n');
      const { CSVHeader = [] } = await pool.client.send(
        new GetCSVHeaderCommand({ UserPoolId: userPool.userPoolId }),
      );
      expect(lines[0]).toBe(CSVHeader.join(','));
      const column = (line: string, name: string) =>
        line.split(/(?<!\\),/)[CSVHeader.indexOf(name)];
      expect(lines.slice(1).map((line) => column(line, 'cognito:username'))).toEqual(IMPORTABLE);
      expect(lines.slice(1).every((line) => column(line, 'email_verified') === 'TRUE')).toBe(true);
      expect(lines.find((line) => line.includes('bulk.00@'))).toContain('Doe\\, Jane');
      expect(await poolUsers(pool.client, userPool.userPoolId)).toHaveLength(0);
      expect(await importedByJobs(pool.client, userPool.userPoolId)).toEqual({
        jobs: 0,
        imported: 0,
      });
    });

    it('imports every legacy user not yet in the pool, leaving out the one who signed in lazily', async () => {
      expect(
        (await post('/user/signin', { email: 'legacy@example.com', password: 'Legacy-Passw0rd!' }))
          .status,
      ).toBe(200);

      const run = await runCli(
        ['--max-users-per-job', '8', '--poll-interval', '100', '--json'],
        env(userPool, stateDir),
      );
      expect(run.code).toBe(0);
      const report = reportOf(run);
      const expected = IMPORTABLE.length - 1;
      expect(report).toMatchObject({
        dryRun: false,
        imported: expected,
        skippedInPool: 1,
        failed: 3,
      });
      expect(report.jobs).toHaveLength(Math.ceil(expected / 8));
      expect(report.jobs.every((job) => job.status === 'Succeeded')).toBe(true);
      const users = await poolUsers(pool.client, userPool.userPoolId);
      expect(users.map(emailOf).sort()).toEqual(IMPORTABLE);
      expect(users.filter((user) => user.UserStatus === 'RESET_REQUIRED')).toHaveLength(expected);
      expect(users.find((user) => emailOf(user) === 'legacy@example.com')?.UserStatus).toBe(
        'CONFIRMED',
      );
      expect(await importedByJobs(pool.client, userPool.userPoolId)).toEqual({
        jobs: report.jobs.length,
        imported: expected,
      });
      const imported = await pool.client.send(
        new AdminGetUserCommand({
          UserPoolId: userPool.userPoolId,
          Username: 'bulk.00@example.com',
        }),
      );
      expect(imported.UserAttributes).toEqual(
        expect.arrayContaining([
          { Name: 'name', Value: 'Doe, Jane' },
          { Name: 'email_verified', Value: 'true' },
        ]),
      );
    }, 60_000);

    it('an imported user is told to reset, resets with the emailed code, then signs in', async () => {
      const email = 'bulk.05@example.com';
      const refused = await post('/user/signin', { email, password: 'Bulk-Passw0rd!' });
      expect(refused.status).toBe(403);
      expect(refused.body.error?.code).toBe('password_reset_required');
      expect((await post('/user/password/forgot', { email })).status).toBe(202);
      const [message] = await readOutbox(pool.endpoint, email);
      expect(message?.code).toMatch(/^\d{6}$/);
      const reset = await post('/user/password/reset', {
        email,
        code: message?.code,
        newPassword: 'Fresh-Passw0rd!',
      });
      expect(reset.status).toBe(204);
      const signedIn = await post('/user/signin', { email, password: 'Fresh-Passw0rd!' });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.accessToken).toEqual(expect.any(String));
    });

    it('a second run imports nobody and starts no job: everyone is already in the pool', async () => {
      const before = await importedByJobs(pool.client, userPool.userPoolId);
      const run = await runCli(['--json'], env(userPool, stateDir));
      expect(run.code).toBe(0);
      expect(reportOf(run)).toMatchObject({
        imported: 0,
        queued: 0,
        skippedInPool: IMPORTABLE.length,
        failed: 3,
      });
      expect(await importedByJobs(pool.client, userPool.userPoolId)).toEqual(before);
      expect(await poolUsers(pool.client, userPool.userPoolId)).toHaveLength(IMPORTABLE.length);
    });
  });

  it('killed with SIGKILL in the middle, the next run resumes and every user is imported exactly once', async () => {
    const userPool = await createTestUserPool(pool);
    const stateDir = temporaryStateDir();
    const args = ['--max-users-per-job', '2', '--poll-interval', '50', '--json'];
    const first = startCli(args, env(userPool, stateDir));
    const chunksAtKill = await waitForProgress(stateDir, userPool.userPoolId, (chunks) => {
      const finished = chunks.filter((chunk) => chunk.state === 'finished').length;
      return finished >= 3 && chunks.some((chunk) => chunk.state !== 'finished');
    });
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const importedBefore = (await poolUsers(pool.client, userPool.userPoolId)).length;
    expect(importedBefore).toBeGreaterThan(0);
    expect(importedBefore).toBeLessThan(IMPORTABLE.length);
    expect(chunksAtKill.length).toBeLessThan(Math.ceil(IMPORTABLE.length / 2));

    const second = await runCli(args, env(userPool, stateDir));
    expect(second.stderr).toContain('Resuming run');
    expect(second.code).toBe(0);
    const report = reportOf(second);
    expect(report).toMatchObject({ imported: IMPORTABLE.length, skippedInPool: 0, failed: 3 });
    const users = await poolUsers(pool.client, userPool.userPoolId);
    expect(users.map(emailOf).sort()).toEqual(IMPORTABLE);
    // No job ever imported a user twice, and no job ran twice.
    expect(await importedByJobs(pool.client, userPool.userPoolId)).toEqual({
      jobs: Math.ceil(IMPORTABLE.length / 2),
      imported: IMPORTABLE.length,
    });
  }, 90_000);

  it('stopped with Ctrl-C, it says how to resume; only the same options resume the run, or --restart drops it', async () => {
    const userPool = await createTestUserPool(pool);
    const stateDir = temporaryStateDir();
    const args = ['--max-users-per-job', '3', '--poll-interval', '50', '--json'];
    const first = startCli(args, env(userPool, stateDir));
    await waitForProgress(stateDir, userPool.userPoolId, (chunks) =>
      chunks.some((chunk) => chunk.state === 'finished'),
    );
    first.child.kill('SIGINT');
    const interrupted = await first.done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('Run the same command again to resume');

    const other = await runCli(['--max-users-per-job', '5', '--json'], env(userPool, stateDir));
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/was interrupted with other options .*"maxUsersPerJob":3/);

    const before = (await poolUsers(pool.client, userPool.userPoolId)).length;
    expect(before).toBeGreaterThan(0);
    const restarted = await runCli(
      ['--max-users-per-job', '5', '--poll-interval', '50', '--restart', '--json'],
      env(userPool, stateDir),
    );
    expect(restarted.stderr).toContain('Starting run');
    expect(restarted.code).toBe(0);
    expect(reportOf(restarted)).toMatchObject({
      imported: IMPORTABLE.length - before,
      skippedInPool: before,
    });
    expect(await poolUsers(pool.client, userPool.userPoolId)).toHaveLength(IMPORTABLE.length);
  }, 60_000);

  it('--limit imports part of the legacy store and --since only recent users; the next run does the rest', async () => {
    const userPool = await createTestUserPool(pool);
    const stateDir = temporaryStateDir();
    const since = await runCli(
      ['--dry-run', '--since', '2020-01-01', '--json'],
      env(userPool, stateDir),
    );
    expect(since.code).toBe(0);
    // The four generated users created in 2019 are left out; the demo users are new.
    expect(reportOf(since).queued).toBe(IMPORTABLE.length - 4);

    const limited = await runCli(
      ['--limit', '5', '--poll-interval', '50', '--json'],
      env(userPool, stateDir),
    );
    expect(limited.code).toBe(0);
    expect(reportOf(limited)).toMatchObject({ imported: 5, queued: 5 });
    expect((await poolUsers(pool.client, userPool.userPoolId)).map(emailOf).sort()).toEqual(
      IMPORTABLE.slice(0, 5),
    );

    const rest = await runCli(['--poll-interval', '50', '--json'], env(userPool, stateDir));
    expect(rest.code).toBe(0);
    expect(reportOf(rest)).toMatchObject({ imported: IMPORTABLE.length - 5, skippedInPool: 5 });
    expect(await poolUsers(pool.client, userPool.userPoolId)).toHaveLength(IMPORTABLE.length);
  }, 60_000);

  describe('what stops it, with a message and a non-zero exit', () => {
    let userPool: TestUserPool;
    beforeAll(async () => {
      userPool = await createTestUserPool(pool);
    });

    it('a user pool that does not exist', async () => {
      const run = await runCli([], {
        ...env(userPool, temporaryStateDir()),
        USER_POOL_ID: 'us-east-1_doesNotExist',
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('User pool us-east-1_doesNotExist was not found in us-east-1');
    });

    it('a legacy store that cannot be reached', async () => {
      const run = await runCli([], {
        ...env(userPool, temporaryStateDir()),
        LEGACY_DATABASE_URL: db.url.replace(`:${db.port}/`, ':1/'),
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Cannot reach the legacy store (postgres)');
      expect(run.stderr).not.toContain('legacy_reader_password');
    });

    it('credentials without the permissions it needs', async () => {
      // Cognito's refusal, answered by a stand-in: the local pool has no IAM.
      const denying = http.createServer((req, res) => {
        const operation = String(req.headers['x-amz-target']).split('.')[1];
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(
          JSON.stringify({
            __type: 'AccessDeniedException',
            message: `User: arn:aws:iam::123456789012:user/ops is not authorized to perform: cognito-idp:${operation}`,
          }),
        );
      });
      await new Promise<void>((resolve) => denying.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = denying.address() as AddressInfo;
        const run = await runCli([], {
          ...env(userPool, temporaryStateDir()),
          COGNITO_ENDPOINT: `http://127.0.0.1:${port}`,
        });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('Not allowed to call cognito-idp:DescribeUserPool');
        expect(run.stderr).toContain('UserImportOperator');
      } finally {
        denying.close();
      }
    });

    it('no role for the jobs, a bad option, a bad legacy setting', async () => {
      const withoutRole = { ...env(userPool, temporaryStateDir()), USER_IMPORT_ROLE_ARN: '' };
      const noRole = await runCli([], withoutRole);
      expect(noRole.code).toBe(1);
      expect(noRole.stderr).toContain('--role-arn is required');

      const badLimit = await runCli(['--limit', '0'], env(userPool, temporaryStateDir()));
      expect(badLimit.code).toBe(2);
      expect(badLimit.stderr).toContain('--limit must be a whole number');

      const badSince = await runCli(['--since', 'yesterday'], env(userPool, temporaryStateDir()));
      expect(badSince.code).toBe(2);
      expect(badSince.stderr).toContain('--since must be an ISO 8601 date');

      const badTable = await runCli([], {
        ...env(userPool, temporaryStateDir()),
        LEGACY_USERS_TABLE: 'users; drop table x',
      });
      expect(badTable.code).toBe(2);
      expect(badTable.stderr).toContain('LEGACY_USERS_TABLE');
    });
  });
});
