/**
 * No sign-up over a legacy account, end to end, every part real and its own process:
 * SDK → local pool (Cognito API) → Lambda Invoke API → trigger (one function for
 * PreSignUp and UserMigration) → legacy Postgres.
 */
import {
  AdminCreateUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  SignUpCommand,
  type SignUpCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { maskIdentifier } from '@authstack/shared';
import {
  createTestUserPool,
  readOutbox,
  startLocalPool,
  type LocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import {
  invocationLines,
  startLegacyDatabase,
  startTriggerInvokeServer,
  type LegacyDatabase,
  type TriggerInvokeServer,
} from '../../src/testing';

const LEGACY_EMAIL = 'legacy.argon@example.com';
const LEGACY_PASSWORD = 'Legacy-Argon2-Passw0rd!';
const NEW_PASSWORD = 'Brand-New-Passw0rd!';

/** Lets a child process flush the log lines of what it just did. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

async function failureOf(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('no sign-up over a legacy account, end to end', () => {
  let db: LegacyDatabase;
  let trigger: TriggerInvokeServer;
  let pool: LocalPool;
  let userPool: TestUserPool;

  const signUp = (email: string): Promise<SignUpCommandOutput> =>
    pool.client.send(
      new SignUpCommand({ ClientId: userPool.clientId, Username: email, Password: NEW_PASSWORD }),
    );
  const usersInPool = async (email: string) =>
    (
      await pool.client.send(
        new ListUsersCommand({ UserPoolId: userPool.userPoolId, Filter: `email = "${email}"` }),
      )
    ).Users ?? [];
  const triggerLog = (msg: string, email: string) =>
    trigger.process
      .stdoutLines()
      .filter(
        (line) =>
          line.includes(`"msg":"${msg}"`) && line.includes(`"user":"${maskIdentifier(email)}"`),
      );

  beforeAll(async () => {
    db = await startLegacyDatabase();
    trigger = await startTriggerInvokeServer({ legacyDatabaseUrl: db.url });
    pool = await startLocalPool({ lambdaEndpoint: trigger.endpoint });
    // One function behind both triggers: the same ARN twice.
    userPool = await createTestUserPool(pool, {
      userMigrationLambdaArn: trigger.functionArn,
      preSignUpLambdaArn: trigger.functionArn,
    });
  });
  afterAll(async () => {
    await pool?.stop();
    await trigger?.stop();
    await db?.stop();
  });

  it('refuses SignUp of a legacy address that has not migrated, however it is written, creating nobody', async () => {
    for (const written of [LEGACY_EMAIL, 'Legacy.Argon@Example.COM']) {
      expect(await failureOf(signUp(written))).toEqual({
        name: 'UserLambdaValidationException',
        message: 'PreSignUp failed with error An account with the given email already exists.',
      });
    }
    expect(await usersInPool(LEGACY_EMAIL)).toHaveLength(0);
    await settle();
    expect(triggerLog('sign-up refused', LEGACY_EMAIL)).toHaveLength(2);
  });

  it('still migrates the legacy owner with the legacy password (USER_PASSWORD_AUTH)', async () => {
    const signedIn = await pool.client.send(
      new InitiateAuthCommand({
        ClientId: userPool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: LEGACY_EMAIL, PASSWORD: LEGACY_PASSWORD },
      }),
    );
    expect(signedIn.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
    expect(await usersInPool(LEGACY_EMAIL)).toEqual([
      expect.objectContaining({ UserStatus: 'CONFIRMED' }),
    ]);
    await settle();
    expect(triggerLog('user migrated', LEGACY_EMAIL)).toHaveLength(1);
  });

  it('answers SignUp of the migrated address with UsernameExistsException, without asking the trigger', async () => {
    await settle();
    const invocations = invocationLines(trigger).length;
    expect(await failureOf(signUp(LEGACY_EMAIL))).toEqual({
      name: 'UsernameExistsException',
      message: 'An account with the given email already exists.',
    });
    await settle();
    expect(invocationLines(trigger)).toHaveLength(invocations);
  });

  it('signs up an address the legacy store does not know, as usual', async () => {
    const email = `newcomer.${Date.now()}@example.com`;
    const result = await signUp(email);
    expect(result).toMatchObject({ UserConfirmed: false, UserSub: expect.any(String) });
    expect(await usersInPool(email)).toEqual([
      expect.objectContaining({ UserStatus: 'UNCONFIRMED' }),
    ]);
    expect(await readOutbox(pool.endpoint, email)).toEqual([
      expect.objectContaining({ kind: 'signup' }),
    ]);
    await settle();
    expect(triggerLog('sign-up allowed', email)).toHaveLength(1);
  });

  it('refuses AdminCreateUser of a legacy address too, and lets a new one through', async () => {
    const admin = (email: string) =>
      pool.client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPool.userPoolId,
          Username: email,
          MessageAction: 'SUPPRESS',
        }),
      );
    expect(await failureOf(admin('legacy.php@example.com'))).toMatchObject({
      name: 'UserLambdaValidationException',
    });
    expect(await usersInPool('legacy.php@example.com')).toHaveLength(0);
    const created = await admin(`staff.${Date.now()}@example.com`);
    expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
  });

  it('never writes a plain address to the trigger log', () => {
    expect(trigger.process.stdoutLines().join('\n')).not.toMatch(/[\w.]+@example\.com/i);
  });

  // Last: it stops the legacy database.
  it('fails closed while the legacy store is down: sign-up is refused and nobody is created', async () => {
    await db.stop();
    const email = `while.down.${Date.now()}@example.com`;
    expect(await failureOf(signUp(email))).toEqual({
      name: 'UserLambdaValidationException',
      message: 'PreSignUp failed with error Sign-up is temporarily unavailable; try again later.',
    });
    expect(await usersInPool(email)).toHaveLength(0);
  });
});
