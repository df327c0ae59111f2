import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { Client } from 'pg';
import { LEGACY_STORE_UNAVAILABLE_MESSAGE } from '@authstack/shared';
import { startProcess } from '@authstack/shared/testing';
import {
  invocationLines,
  freshLegacyDatabase,
  startTriggerInvokeServer,
  type FreshLegacyDatabase,
  type TriggerInvokeServer,
} from '../../src/testing';
import { invokeFunction, lambdaClient } from '../support/lambda';
import { migrationEvent } from '../support/fakes';

const signIn = (userName: string, password: string) =>
  migrationEvent('UserMigration_Authentication', userName, password);
const forgot = (userName: string) => migrationEvent('UserMigration_ForgotPassword', userName);

const BUNDLE = path.resolve(__dirname, '../../dist/lambda/index.js');

/** Loads the bundle in a fresh Node process, as the Lambda runtime does, and invokes it. */
const RUNNER = `
const { handler } = require(process.env.BUNDLE);
const events = JSON.parse(process.env.EVENTS);
(async () => {
  const results = [];
  for (const event of events) {
    try { results.push(await handler(event, { awsRequestId: 'bundle-test' })); }
    catch (error) { results.push({ errorType: error.name, errorMessage: error.message }); }
  }
  process.stderr.write(JSON.stringify({ handlerType: typeof handler, results }));
  process.exit(0);
})();
`;

describe('the built trigger, against the embedded legacy Postgres', () => {
  let db: FreshLegacyDatabase;
  beforeAll(async () => {
    db = await freshLegacyDatabase();
  });
  afterAll(async () => {
    await db?.stop();
  });

  describe('invoke server (dist/invoke-server.js) with the real Lambda SDK', () => {
    let trigger: TriggerInvokeServer;
    let lambda: LambdaClient;

    beforeAll(async () => {
      trigger = await startTriggerInvokeServer({ legacyDatabaseUrl: db.url });
      lambda = lambdaClient(trigger.endpoint);
    });
    afterAll(async () => {
      lambda?.destroy();
      await trigger?.stop();
    });

    it('migrates a bcrypt legacy user on sign-in as CONFIRMED', async () => {
      const { output, payload } = await invokeFunction(
        lambda,
        trigger.functionName,
        signIn('legacy@example.com', 'Legacy-Passw0rd!'),
      );
      expect(output.StatusCode).toBe(200);
      expect(output.FunctionError).toBeUndefined();
      expect(payload.response).toEqual({
        userAttributes: {
          email: 'legacy@example.com',
          email_verified: 'true',
          name: 'Legacy User',
        },
        finalUserStatus: 'CONFIRMED',
        messageAction: 'SUPPRESS',
      });
    });

    it('migrates an argon2id legacy user invoked by ARN, as Cognito invokes it', async () => {
      const { payload } = await invokeFunction(
        lambda,
        trigger.functionArn,
        signIn('Legacy.Argon@Example.com', 'Legacy-Argon2-Passw0rd!'),
      );
      expect(payload.response).toMatchObject({
        userAttributes: { email: 'legacy.argon@example.com', name: 'Argon User' },
        finalUserStatus: 'CONFIRMED',
      });
    });

    it('migrates a legacy user in the forgot-password flow as RESET_REQUIRED', async () => {
      const { payload } = await invokeFunction(
        lambda,
        trigger.functionName,
        forgot('legacy.reset@example.com'),
      );
      expect(payload.response).toEqual({
        userAttributes: {
          email: 'legacy.reset@example.com',
          email_verified: 'true',
          name: 'Reset User',
        },
        finalUserStatus: 'RESET_REQUIRED',
        messageAction: 'SUPPRESS',
      });
    });

    it('migrates a weak legacy password as RESET_REQUIRED', async () => {
      const { payload } = await invokeFunction(
        lambda,
        trigger.functionName,
        signIn('legacy.weak@example.com', 'password'),
      );
      expect(payload.response?.finalUserStatus).toBe('RESET_REQUIRED');
    });

    it('answers a wrong password, an unknown user, a disabled user and an unsupported hash with the same function error', async () => {
      const answers = await Promise.all(
        [
          signIn('legacy@example.com', 'Wrong-Passw0rd!'),
          signIn('nobody@example.com', 'Legacy-Passw0rd!'),
          signIn('legacy.disabled@example.com', 'Legacy-Disabled-Passw0rd!'),
          signIn('legacy.md5@example.com', 'Legacy-Md5-Passw0rd!'),
          forgot('nobody@example.com'),
        ].map((event) => invokeFunction(lambda, trigger.functionName, event)),
      );
      for (const { output, payload } of answers) {
        expect(output.StatusCode).toBe(200);
        expect(output.FunctionError).toBe('Unhandled');
        expect(payload).toMatchObject({
          errorType: 'MigrationRefused',
          errorMessage: 'Bad password',
        });
      }
    });

    it('writes JSON logs tagged with the Lambda request id, without passwords or addresses', async () => {
      const secret = 'Not-The-Passw0rd-42!';
      const { output } = await invokeFunction(
        lambda,
        trigger.functionName,
        signIn('legacy@example.com', secret),
      );
      const requestId = output.$metadata.requestId;
      await new Promise((resolve) => setTimeout(resolve, 100)); // let the child flush its stdout
      const lines = trigger.process.stdoutLines();
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const forThisRequest = records.filter((record) => record.awsRequestId === requestId);
      expect(forThisRequest).toContainEqual(
        expect.objectContaining({ msg: 'migration refused', reason: 'wrong_password' }),
      );
      expect(forThisRequest).toContainEqual(
        expect.objectContaining({ msg: 'invocation completed', functionError: 'Unhandled' }),
      );
      const everything = trigger.process.output();
      for (const password of [secret, 'Legacy-Passw0rd!', 'Legacy-Argon2-Passw0rd!']) {
        expect(everything).not.toContain(password);
      }
      expect(everything).not.toContain('legacy@example.com');
      expect(everything).not.toContain('legacy-reader-local-only');
    });

    it('keeps at most two legacy database connections open and warm, whatever the concurrency', async () => {
      await Promise.all(
        Array.from({ length: 8 }, () =>
          invokeFunction(lambda, trigger.functionName, forgot('legacy@example.com')),
        ),
      );
      const admin = new Client({ connectionString: db.adminUrl });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ open: number }>(
          "SELECT count(*)::int AS open FROM pg_stat_activity WHERE application_name = 'user-migration-trigger' AND datname = current_database() AND pid <> pg_backend_pid()",
        );
        expect(rows[0]?.open).toBe(2);
      } finally {
        await admin.end();
      }
    });

    it('counts one "invocation completed" line per invocation', async () => {
      const before = invocationLines(trigger).length;
      await invokeFunction(
        lambda,
        trigger.functionName,
        signIn('legacy@example.com', 'Legacy-Passw0rd!'),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(invocationLines(trigger).length).toBe(before + 1);
    });

    it('migrates through a legacy login endpoint when LEGACY_STORE=http', async () => {
      const received: unknown[] = [];
      const endpoint = createServer((req, res) => {
        let raw = '';
        req.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
        req.on('end', () => {
          const body = JSON.parse(raw) as { email: string; password?: string };
          received.push(body);
          const valid =
            body.email === 'old@example.com' && body.password === 'Old-System-Passw0rd!';
          res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify(
              valid ? { email: body.email, name: 'Old System User', emailVerified: true } : {},
            ),
          );
        });
      });
      await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
      const authUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/login`;
      const viaHttp = await startTriggerInvokeServer({
        env: { LEGACY_STORE: 'http', LEGACY_AUTH_URL: authUrl },
      });
      const client = lambdaClient(viaHttp.endpoint);
      try {
        const migrated = await invokeFunction(
          client,
          viaHttp.functionName,
          signIn('Old@Example.com', 'Old-System-Passw0rd!'),
        );
        expect(migrated.payload.response).toEqual({
          userAttributes: {
            email: 'old@example.com',
            email_verified: 'true',
            name: 'Old System User',
          },
          finalUserStatus: 'CONFIRMED',
          messageAction: 'SUPPRESS',
        });
        const wrong = await invokeFunction(
          client,
          viaHttp.functionName,
          signIn('old@example.com', 'Wrong-Passw0rd!'),
        );
        expect(wrong.payload).toMatchObject({ errorType: 'MigrationRefused' });
        // No LEGACY_LOOKUP_URL: forgot-password migrates nobody, and asks the endpoint nothing.
        const forgotten = await invokeFunction(
          client,
          viaHttp.functionName,
          forgot('old@example.com'),
        );
        expect(forgotten.payload).toMatchObject({ errorType: 'MigrationRefused' });
        expect(received).toEqual([
          { email: 'old@example.com', password: 'Old-System-Passw0rd!' },
          { email: 'old@example.com', password: 'Wrong-Passw0rd!' },
        ]);
      } finally {
        client.destroy();
        await viaHttp.stop();
        endpoint.closeAllConnections();
        await new Promise((resolve) => endpoint.close(resolve));
      }
    });

    it('fails with LegacyStoreUnavailable when the legacy database is unreachable, and keeps serving', async () => {
      const orphan = await startTriggerInvokeServer({
        legacyDatabaseUrl: 'postgres://legacy_reader:x@127.0.0.1:1/legacy',
        env: { LEGACY_TIMEOUT_MS: '500' },
      });
      const client = lambdaClient(orphan.endpoint);
      try {
        for (let attempt = 0; attempt < 2; attempt += 1) {
          const { output, payload } = await invokeFunction(
            client,
            orphan.functionName,
            signIn('legacy@example.com', 'Legacy-Passw0rd!'),
          );
          expect(output.FunctionError).toBe('Unhandled');
          expect(payload).toMatchObject({
            errorType: 'LegacyStoreUnavailable',
            errorMessage: LEGACY_STORE_UNAVAILABLE_MESSAGE,
          });
        }
        await orphan.process.waitForOutput(/"msg":"legacy user store unavailable"/);
      } finally {
        client.destroy();
        await orphan.stop();
      }
    });

    it('stops with one line naming the variable when the configuration is bad', async () => {
      const bad = await startProcess({
        script: path.resolve(__dirname, '../../dist/invoke-server.js'),
        env: { LEGACY_DATABASE_URL: '', TRIGGER_PORT: '0' },
      });
      expect(await bad.exited).toBe(1);
      expect(bad.output().trim()).toBe(
        'Invalid configuration: LEGACY_DATABASE_URL: required when LEGACY_STORE=postgres (or set LEGACY_DATABASE_SECRET_ARN)',
      );
    });

    it('drains and exits 0 on SIGTERM', async () => {
      const extra = await startTriggerInvokeServer({ legacyDatabaseUrl: db.url });
      await invokeFunction(
        lambdaClient(extra.endpoint),
        extra.functionName,
        forgot('legacy@example.com'),
      );
      expect(await extra.process.stop('SIGTERM')).toBe(0);
    });
  });

  describe('Lambda bundle (dist/lambda/index.js)', () => {
    it('is one file under 1 MB with a source map', () => {
      expect(statSync(BUNDLE).size).toBeLessThan(1024 * 1024);
      expect(statSync(`${BUNDLE}.map`).isFile()).toBe(true);
    });

    it('exports handler and migrates bcrypt and argon2id users with no node_modules beside it', async () => {
      const events = [
        migrationEvent('UserMigration_Authentication', 'legacy@example.com', 'Legacy-Passw0rd!'),
        migrationEvent(
          'UserMigration_Authentication',
          'legacy.argon@example.com',
          'Legacy-Argon2-Passw0rd!',
        ),
        migrationEvent(
          'UserMigration_Authentication',
          'legacy.argon@example.com',
          'Wrong-Passw0rd!',
        ),
      ];
      // A copy outside the repository, as in the Lambda package: no node_modules to fall back on.
      const lambdaDir = mkdtempSync(path.join(os.tmpdir(), 'lambda-bundle-'));
      copyFileSync(BUNDLE, path.join(lambdaDir, 'index.js'));
      const run = promisify(execFile)(process.execPath, ['-e', RUNNER], {
        cwd: lambdaDir,
        env: {
          PATH: process.env.PATH,
          BUNDLE: path.join(lambdaDir, 'index.js'),
          EVENTS: JSON.stringify(events),
          LEGACY_DATABASE_URL: db.url,
        },
      }).finally(() => rmSync(lambdaDir, { recursive: true, force: true }));
      const { stderr, stdout } = await run;
      const { handlerType, results } = JSON.parse(stderr) as {
        handlerType: string;
        results: { response?: unknown }[];
      };
      expect(handlerType).toBe('function');
      expect(results[0]?.response).toMatchObject({
        finalUserStatus: 'CONFIRMED',
        userAttributes: { name: 'Legacy User' },
      });
      expect(results[1]?.response).toMatchObject({
        finalUserStatus: 'CONFIRMED',
        userAttributes: { name: 'Argon User' },
      });
      expect(results[2]).toEqual({ errorType: 'MigrationRefused', errorMessage: 'Bad password' });
      expect(stdout).toContain('"awsRequestId":"bundle-test"');
    });
  });
});
