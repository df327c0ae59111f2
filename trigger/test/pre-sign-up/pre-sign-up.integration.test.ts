/**
 * The PreSignUp check against the real legacy Postgres: the adapter's `holdsAccount`, the
 * guard over it, and the built invoke server answering a PreSignUp event as Lambda does.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { Client, type Pool } from 'pg';
import { createLogger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { createLegacyPool } from '../../src/adapters/postgres-pool';
import { PostgresLegacyUserSource } from '../../src/adapters/postgres-legacy-user-source';
import {
  LEGACY_ACCOUNT_EXISTS_MESSAGE,
  LegacyAccountExistsError,
  SignUpUnavailableError,
} from '../../src/pre-sign-up/errors';
import { refuseLegacySignUp } from '../../src/pre-sign-up/refuse-legacy-sign-up';
import {
  freshLegacyDatabase,
  startTriggerInvokeServer,
  type FreshLegacyDatabase,
  type TriggerInvokeServer,
} from '../../src/testing';
import { capturedLogger, RecordedLatencies, settings } from '../support/fakes';
import { invokeFunction, lambdaClient } from '../support/lambda';
import { preSignUpEvent, SUB } from './events';

const DEFAULT_TABLE = {
  table: 'legacy_users',
  emailColumn: 'email',
  passwordHashColumn: 'password_hash',
  nameColumn: 'name',
  emailVerifiedColumn: 'email_verified',
  disabledColumn: 'disabled',
};

describe('PreSignUp against the embedded legacy Postgres', () => {
  let db: FreshLegacyDatabase;
  let pool: Pool;
  let users: PostgresLegacyUserSource;

  beforeAll(async () => {
    db = await freshLegacyDatabase();
    pool = createLegacyPool(
      db.url,
      2_000,
      createLogger({ name: 't', destination: new LogCapture() }),
    );
    users = new PostgresLegacyUserSource(pool, DEFAULT_TABLE);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.stop();
  });

  describe('PostgresLegacyUserSource.holdsAccount', () => {
    it.each([
      ['a bcrypt user', 'legacy.php@example.com'],
      ['an argon2id user', 'legacy.argon@example.com'],
      ['a user stored in mixed case, asked lower-cased', 'legacy.mixed@example.com'],
      ['a disabled user', 'legacy.disabled@example.com'],
      ['a user whose hash cannot be verified (md5-crypt)', 'legacy.md5@example.com'],
      ['a user with an unverified address', 'legacy.unverified@example.com'],
    ])('holds %s', async (_case, email) => {
      await expect(users.holdsAccount(email)).resolves.toBe(true);
    });

    it('does not hold an unknown address', async () => {
      await expect(users.holdsAccount('nobody@example.com')).resolves.toBe(false);
    });

    it('holds an address the legacy table has twice in different case (which never migrates)', async () => {
      const admin = new Client({ connectionString: db.adminUrl });
      await admin.connect();
      try {
        await admin.query(`
          CREATE TABLE twin_users (email text, password_hash text);
          GRANT SELECT ON twin_users TO legacy_reader;
          INSERT INTO twin_users VALUES ('Twin@example.com', 'x'), ('twin@example.com', 'y');
        `);
      } finally {
        await admin.end();
      }
      const twins = new PostgresLegacyUserSource(pool, {
        table: 'twin_users',
        emailColumn: 'email',
        passwordHashColumn: 'password_hash',
      });
      await expect(twins.lookup('twin@example.com')).resolves.toBeUndefined();
      await expect(twins.holdsAccount('twin@example.com')).resolves.toBe(true);
    });
  });

  describe('refuseLegacySignUp over the real store', () => {
    it('refuses the legacy address and lets a new one through', async () => {
      const { logger } = capturedLogger();
      const deps = { users, settings: settings(), logger, metrics: new RecordedLatencies() };
      await expect(
        refuseLegacySignUp(
          preSignUpEvent('PreSignUp_SignUp', SUB, { email: 'Legacy.Argon@Example.com' }),
          deps,
        ),
      ).rejects.toBeInstanceOf(LegacyAccountExistsError);
      await expect(
        refuseLegacySignUp(
          preSignUpEvent('PreSignUp_AdminCreateUser', SUB, { email: 'fresh@example.com' }),
          deps,
        ),
      ).resolves.toMatchObject({ userName: SUB });
    });

    it('fails closed when the database is unreachable', async () => {
      const { logger } = capturedLogger();
      const dead = createLegacyPool('postgres://legacy_reader:x@127.0.0.1:1/legacy', 500, logger);
      try {
        const deps = {
          users: new PostgresLegacyUserSource(dead, DEFAULT_TABLE),
          settings: settings({ storeTimeoutMs: 1_000 }),
          logger,
          metrics: new RecordedLatencies(),
        };
        await expect(
          refuseLegacySignUp(
            preSignUpEvent('PreSignUp_SignUp', SUB, { email: 'fresh@example.com' }),
            deps,
          ),
        ).rejects.toBeInstanceOf(SignUpUnavailableError);
      } finally {
        await dead.end();
      }
    });
  });

  describe('the built invoke server, one function for both triggers', () => {
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

    it('answers a PreSignUp event over a legacy address with a function error carrying the refusal', async () => {
      const { output, payload } = await invokeFunction(
        lambda,
        trigger.functionArn,
        preSignUpEvent('PreSignUp_SignUp', SUB, { email: 'legacy@example.com' }),
      );
      expect(output.FunctionError).toBe('Unhandled');
      expect(payload).toMatchObject({
        errorType: 'LegacyAccountExists',
        errorMessage: LEGACY_ACCOUNT_EXISTS_MESSAGE,
      });
    });

    it('hands a new address back unchanged, and still migrates legacy users', async () => {
      const event = preSignUpEvent('PreSignUp_AdminCreateUser', SUB, {
        email: 'someone.new@example.com',
      });
      const allowed = await invokeFunction(lambda, trigger.functionName, event);
      expect(allowed.output.FunctionError).toBeUndefined();
      expect(allowed.payload).toEqual(event);

      const migrated = await invokeFunction(lambda, trigger.functionName, {
        version: '1',
        triggerSource: 'UserMigration_Authentication',
        region: 'us-east-1',
        userPoolId: 'us-east-1_TestPool1',
        userName: 'legacy@example.com',
        callerContext: { awsSdkVersion: 'x', clientId: 'c1' },
        request: { password: 'Legacy-Passw0rd!', validationData: null, clientMetadata: null },
        response: {},
      });
      expect(migrated.payload.response).toMatchObject({ finalUserStatus: 'CONFIRMED' });
    });

    it('logs JSON lines with the address masked, never the address itself', async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const lines = trigger.process.stdoutLines();
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      const text = lines.join('\n');
      expect(text).toContain('"msg":"sign-up refused"');
      expect(text).toContain('"msg":"sign-up allowed"');
      expect(text).not.toContain('legacy@example.com');
      expect(text).not.toContain('someone.new@example.com');
    });
  });
});
