import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { AdminDeleteUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { Client } from 'pg';
import { createConfirmedUser } from '@authstack/local-pool';
import {
  createTestUserPool,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { parseConfig } from '@authstack/shared';
import { freshStateDatabase, type FreshStateDatabase } from '@authstack/shared/testing';
import { revocationEventsConfigSchema } from '../../src/revocation-events/config';
import { recordRevocationEvent } from '../../src/revocation-events/record-revocation';
import {
  createRevocationEventsRuntime,
  type RevocationEventsRuntime,
} from '../../src/revocation-events/runtime';
import { capturedLogger } from '../support/fakes';
import * as recorded from './cloudtrail-events';
import { EVENT_TIME, POOL_ID, SUB } from './cloudtrail-events';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const BUNDLE = path.join(REPO_ROOT, 'trigger/dist/lambda-revocation-events/index.js');
const LIFETIME = 3600;
const EVENT_SECONDS = Date.parse(EVENT_TIME) / 1000;

interface Row {
  kind: string;
  subject: string;
  group_name: string;
  not_before: string;
  expires_at: string;
}

/** An event recorded on `poolId` about `username`, otherwise as recorded. */
function about(
  event: Record<string, unknown>,
  poolId: string,
  username: string,
): Record<string, unknown> {
  const detail = event.detail as { requestParameters: Record<string, unknown> };
  return {
    ...event,
    detail: {
      ...detail,
      requestParameters: { ...detail.requestParameters, userPoolId: poolId, username },
    },
  };
}

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

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:authstack-state-AbCdEf';

/** A Secrets Manager endpoint speaking the AWS JSON 1.1 protocol, for one secret. */
class FakeSecretsManager {
  readonly requests: { target: string; secretId: unknown }[] = [];
  secretString = '';
  #server: Server | undefined;

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target']);
        const { SecretId } = JSON.parse(body) as { SecretId?: unknown };
        this.requests.push({ target, secretId: SecretId });
        res.setHeader('Content-Type', 'application/x-amz-json-1.1');
        if (target !== 'secretsmanager.GetSecretValue' || SecretId !== SECRET_ARN) {
          res.statusCode = 400;
          res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
          return;
        }
        res.end(JSON.stringify({ ARN: SECRET_ARN, SecretString: this.secretString }));
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}

describe('revocation events against a real state store', () => {
  let db: FreshStateDatabase;
  let admin: Client;

  const rows = async (subject: string): Promise<Row[]> =>
    (
      await admin.query<Row>(
        'SELECT kind, subject, group_name, not_before, expires_at FROM revocations WHERE subject = $1 ORDER BY kind, group_name',
        [subject],
      )
    ).rows;

  beforeAll(async () => {
    db = await freshStateDatabase({ migrate: true });
    admin = new Client({ connectionString: db.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await db?.stop();
  });

  describe('the runtime (pool from STATE_DATABASE_URL, aliases resolved by the local pool)', () => {
    let pool: SharedLocalPool;
    let userPool: TestUserPool;
    let runtime: RevocationEventsRuntime;

    beforeAll(async () => {
      pool = await sharedLocalPool();
      userPool = await createTestUserPool(pool);
      const config = parseConfig(revocationEventsConfigSchema, {
        USER_POOL_ID: userPool.userPoolId,
        STATE_DATABASE_URL: db.url,
        MAX_TOKEN_LIFETIME_SECONDS: String(LIFETIME),
      });
      runtime = await createRevocationEventsRuntime(config, capturedLogger().logger, {
        cognito: pool.client,
      });
    });

    afterAll(async () => {
      await runtime?.close();
      await pool?.stop();
    });

    const handle = (event: unknown) =>
      recordRevocationEvent(event, { ...runtime.deps, logger: capturedLogger().logger });

    it('records a global sign-out as a user revocation at the time of the call', async () => {
      const { sub } = await createConfirmedUser(pool.client, userPool.userPoolId, {
        email: 'signed.out@example.com',
        password: 'Signed-0ut-Passw0rd!',
      });
      const outcome = await handle(
        about(recorded.adminUserGlobalSignOut, userPool.userPoolId, sub),
      );
      expect(outcome).toEqual({
        result: 'recorded',
        kind: 'user',
        sub,
        notBefore: EVENT_SECONDS + 1,
      });
      expect(await rows(sub)).toEqual([
        {
          kind: 'user',
          subject: sub,
          group_name: '',
          not_before: String(EVENT_SECONDS + 1),
          // Kept for the longest token lifetime plus the largest clock skew a verifier allows.
          expires_at: String(EVENT_SECONDS + 1 + LIFETIME + 300),
        },
      ]);
    });

    it('records a group removal named by email alias, with the sub found through AdminGetUser', async () => {
      const { sub } = await createConfirmedUser(pool.client, userPool.userPoolId, {
        email: 'former.admin@example.com',
        password: 'Former-Adm1n-Passw0rd!',
        groups: ['admin'],
      });
      const event = about(
        recorded.adminRemoveUserFromGroup,
        userPool.userPoolId,
        'former.admin@example.com',
      );
      expect(await handle(event)).toMatchObject({ result: 'recorded', kind: 'group', sub });
      expect(await rows(sub)).toEqual([
        expect.objectContaining({ kind: 'group', group_name: 'admin' }),
      ]);
    });

    it('skips a user deleted by email alias (the pool no longer knows the alias) and records nothing', async () => {
      const { sub } = await createConfirmedUser(pool.client, userPool.userPoolId, {
        email: 'deleted@example.com',
        password: 'Deleted-Passw0rd!1',
      });
      await pool.client.send(
        new AdminDeleteUserCommand({ UserPoolId: userPool.userPoolId, Username: sub }),
      );
      const event = about(
        recorded.adminDeleteUserByEmail,
        userPool.userPoolId,
        'deleted@example.com',
      );
      expect(await handle(event)).toEqual({ result: 'skipped', reason: 'user_not_found' });
      expect(await rows(sub)).toEqual([]);
    });

    it('moves notBefore forward only: a late event never undoes a later revocation', async () => {
      const sub = '0b7c2d4e-1f3a-4b5c-8d6e-7f8091a2b3c4';
      const later = about(recorded.adminDisableUser, userPool.userPoolId, sub);
      (later.detail as { eventTime: string }).eventTime = '2025-03-04T10:20:00Z';
      await handle(later);
      await handle(about(recorded.adminUserGlobalSignOut, userPool.userPoolId, sub));
      expect(await rows(sub)).toEqual([
        expect.objectContaining({
          kind: 'user',
          not_before: String(Date.parse('2025-03-04T10:20:00Z') / 1000 + 1),
        }),
      ]);
    });
  });

  describe('the Lambda bundle (dist/lambda-revocation-events/index.js)', () => {
    it('is one file under 1 MB with a source map', () => {
      expect(statSync(BUNDLE).size).toBeLessThan(1024 * 1024);
      expect(statSync(`${BUNDLE}.map`).isFile()).toBe(true);
    });

    /** Runs the bundle in a fresh process on `events`; its results and its stdout (the log). */
    async function runBundle(
      env: Record<string, string>,
      events: unknown[],
    ): Promise<{ handlerType: string; results: unknown[]; log: string }> {
      // A copy outside the repository, as in the Lambda package; the runtime provides the AWS SDK.
      const lambdaDir = mkdtempSync(path.join(os.tmpdir(), 'lambda-revocation-'));
      copyFileSync(BUNDLE, path.join(lambdaDir, 'index.js'));
      mkdirSync(path.join(lambdaDir, 'node_modules'));
      symlinkSync(
        path.join(REPO_ROOT, 'node_modules', '@aws-sdk'),
        path.join(lambdaDir, 'node_modules', '@aws-sdk'),
      );
      const { stderr, stdout } = await promisify(execFile)(process.execPath, ['-e', RUNNER], {
        cwd: lambdaDir,
        env: {
          PATH: process.env.PATH,
          BUNDLE: path.join(lambdaDir, 'index.js'),
          EVENTS: JSON.stringify(events),
          USER_POOL_ID: POOL_ID,
          MAX_TOKEN_LIFETIME_SECONDS: String(LIFETIME),
          AWS_REGION: 'eu-west-1',
          // This machine's Node 20 draws the SDK's version notice; Lambda runs Node 22.
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...env,
        },
      }).finally(() => rmSync(lambdaDir, { recursive: true, force: true }));
      return {
        ...(JSON.parse(stderr) as { handlerType: string; results: unknown[] }),
        log: stdout,
      };
    }

    it('exports handler and records each event kind, with only the AWS SDK beside it (as in Lambda)', async () => {
      const { handlerType, results, log } = await runBundle({ STATE_DATABASE_URL: db.url }, [
        recorded.adminDeleteUser,
        recorded.adminRemoveUserFromGroup,
        recorded.otherPoolSignOut,
      ]);
      expect(handlerType).toBe('function');
      expect(results).toEqual([
        { result: 'recorded', kind: 'user', sub: SUB, notBefore: EVENT_SECONDS + 1 },
        {
          result: 'recorded',
          kind: 'group',
          sub: SUB,
          group: 'admin',
          notBefore: EVENT_SECONDS + 1,
        },
        { result: 'skipped', reason: 'other_pool' },
      ]);
      expect(log).toContain('"awsRequestId":"bundle-test"');
      expect((await rows(SUB)).map((row) => [row.kind, row.group_name])).toEqual([
        ['group', 'admin'],
        ['user', ''],
      ]);
    });

    describe('with STATE_DATABASE_SECRET_ARN (as deployed)', () => {
      const secrets = new FakeSecretsManager();
      let env: Record<string, string>;

      beforeAll(async () => {
        const { username, password, port } = new URL(db.url);
        // What RDS keeps in a generated secret once it is attached to the instance.
        secrets.secretString = JSON.stringify({
          engine: 'postgres',
          host: '127.0.0.1',
          port: Number(port),
          username: decodeURIComponent(username),
          password: decodeURIComponent(password),
          dbname: new URL(db.url).pathname.slice(1),
          dbInstanceIdentifier: 'authstack-state',
        });
        env = {
          STATE_DATABASE_SECRET_ARN: SECRET_ARN,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: await secrets.start(),
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
        };
      });

      afterAll(() => secrets.stop());

      it('reads the credentials RDS generated and records the revocation', async () => {
        const sub = '6a1d3e5f-7b9c-4d2e-8f10-a2b3c4d5e6f7';
        const { results } = await runBundle(env, [
          about(recorded.adminUserGlobalSignOut, POOL_ID, sub),
        ]);
        expect(results).toEqual([
          { result: 'recorded', kind: 'user', sub, notBefore: EVENT_SECONDS + 1 },
        ]);
        expect(secrets.requests).toEqual([
          { target: 'secretsmanager.GetSecretValue', secretId: SECRET_ARN },
        ]);
        expect(await rows(sub)).toHaveLength(1);
      });

      it('with STATE_DATABASE_CA_FILE insists on TLS: a server without it is refused, nothing recorded', async () => {
        const sub = '9e8d7c6b-5a49-4382-9170-f1e2d3c4b5a6';
        const caFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'ca-')), 'ca.pem');
        writeFileSync(caFile, tls.rootCertificates.join('\n'));
        const { results } = await runBundle({ ...env, STATE_DATABASE_CA_FILE: caFile }, [
          about(recorded.adminUserGlobalSignOut, POOL_ID, sub),
        ]);
        rmSync(path.dirname(caFile), { recursive: true, force: true });
        expect(results).toEqual([
          expect.objectContaining({
            errorMessage: 'The server does not support SSL connections',
          }),
        ]);
        expect(await rows(sub)).toEqual([]);
      });
    });
  });
});
