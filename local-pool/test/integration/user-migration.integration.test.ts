import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createTestUserPool,
  readOutbox,
  startLocalPool,
  type LocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { FakeLambda, migrated } from './fake-lambda';
import { claimsOf, createConfirmedUser, failureOf, signIn, uniqueEmail } from './helpers';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:user-migration';
const LEGACY_PASSWORD = 'legacy-pw'; // deliberately below the pool's policy: Cognito does not apply it

let lambda: FakeLambda;
let pool: LocalPool;
let userPool: TestUserPool;

beforeAll(async () => {
  lambda = new FakeLambda();
  const lambdaEndpoint = await lambda.start();
  pool = await startLocalPool({ lambdaEndpoint, env: { LOG_LEVEL: 'debug' } });
  userPool = await createTestUserPool(pool, { userMigrationLambdaArn: FUNCTION_ARN });
});

afterAll(async () => {
  await pool.stop();
  await lambda.stop();
});

/** A legacy directory: the function vouches for `email` with `LEGACY_PASSWORD`. */
function legacyUser(
  email: string,
  name = 'Legacy Person',
  status: 'CONFIRMED' | 'RESET_REQUIRED' = 'CONFIRMED',
) {
  lambda.answer = (event) => {
    const request = event.request as { password?: string };
    if (event.userName !== email) return { functionError: 'Unhandled' };
    if (
      event.triggerSource === 'UserMigration_Authentication' &&
      request.password !== LEGACY_PASSWORD
    ) {
      return { functionError: 'Unhandled' };
    }
    return migrated(event, { email, email_verified: 'true', name }, status);
  };
}

const passwordAuth = (
  username: string,
  password: string,
  clientMetadata?: Record<string, string>,
) =>
  pool.client.send(
    new InitiateAuthCommand({
      ClientId: userPool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
      ClientMetadata: clientMetadata,
    }),
  );
const usersWithEmail = async (email: string) =>
  (
    await pool.client.send(
      new ListUsersCommand({ UserPoolId: userPool.userPoolId, Filter: `email = "${email}"` }),
    )
  ).Users ?? [];

describe('UserMigration_Authentication', () => {
  it("sends Cognito's event, creates the user with a sub, and signs them in", async () => {
    const email = uniqueEmail('legacy');
    legacyUser(email);
    const result = await passwordAuth(email, LEGACY_PASSWORD, { source: 'test' });
    const tokens = result.AuthenticationResult;
    expect(tokens?.AccessToken).toEqual(expect.any(String));

    const invocation = lambda.invocations.at(-1);
    // The plain name, not the ARN: the Lambda runtime emulator in docker compose matches names only.
    expect(invocation?.functionName).toBe('user-migration');
    expect(invocation?.event).toEqual({
      version: '1',
      triggerSource: 'UserMigration_Authentication',
      region: 'us-east-1',
      userPoolId: userPool.userPoolId,
      userName: email,
      callerContext: { awsSdkVersion: expect.any(String), clientId: userPool.clientId },
      request: {
        password: LEGACY_PASSWORD,
        validationData: { source: 'test' },
        clientMetadata: { source: 'test' },
      },
      response: {},
    });

    const me = await pool.client.send(new GetUserCommand({ AccessToken: tokens?.AccessToken }));
    const sub = me.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value;
    expect(sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(claimsOf(tokens?.IdToken ?? '')).toMatchObject({
      sub,
      email,
      name: 'Legacy Person',
      email_verified: true,
    });
    const stored = await pool.client.send(
      new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: email }),
    );
    expect(stored.UserStatus).toBe('CONFIRMED');

    const calls = lambda.invocations.length;
    await expect(signIn(pool, userPool, email, LEGACY_PASSWORD)).resolves.toHaveProperty(
      'AccessToken',
    );
    expect(lambda.invocations.length).toBe(calls);
  });

  it('also fires for ADMIN_USER_PASSWORD_AUTH', async () => {
    const email = uniqueEmail('legacyadmin');
    legacyUser(email);
    const result = await pool.client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: userPool.userPoolId,
        ClientId: userPool.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: LEGACY_PASSWORD },
      }),
    );
    expect(result.AuthenticationResult?.IdToken).toEqual(expect.any(String));
    expect(lambda.invocations.at(-1)?.event.triggerSource).toBe('UserMigration_Authentication');
  });

  it('is not called for a user already in the pool', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const calls = lambda.invocations.length;
    expect((await failureOf(passwordAuth(user.email, 'Wr0ng-Password!'))).name).toBe(
      'NotAuthorizedException',
    );
    expect(lambda.invocations.length).toBe(calls);
  });

  it('stores the user once when two sign-ins race and the function answers both', async () => {
    const email = uniqueEmail('race');
    lambda.answer = (event) => ({
      ...migrated(event, { email, email_verified: 'true' }),
      delayMs: 150,
    });
    const results = await Promise.all([
      passwordAuth(email, LEGACY_PASSWORD),
      passwordAuth(email, LEGACY_PASSWORD),
    ]);
    expect(lambda.attemptsFor(email)).toBe(2);
    expect(results.every((result) => result.AuthenticationResult?.AccessToken)).toBe(true);
    const subs = results.map((result) => claimsOf(result.AuthenticationResult?.IdToken ?? '').sub);
    expect(subs[0]).toBe(subs[1]);
    expect(await usersWithEmail(email)).toHaveLength(1);
  });

  it('answers PasswordResetRequiredException when the function says RESET_REQUIRED', async () => {
    const email = uniqueEmail('reset');
    legacyUser(email, 'Reset Person', 'RESET_REQUIRED');
    expect(await failureOf(passwordAuth(email, LEGACY_PASSWORD))).toMatchObject({
      name: 'PasswordResetRequiredException',
    });
    const stored = await pool.client.send(
      new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: email }),
    );
    expect(stored.UserStatus).toBe('RESET_REQUIRED');
  });

  it("a function error reaches the caller with the function's message, as Cognito passes it, and creates no user", async () => {
    const email = uniqueEmail('rejected');
    legacyUser(email);
    const error = await failureOf(passwordAuth(email, 'not-the-legacy-password'));
    expect(error).toEqual({
      name: 'UserLambdaValidationException',
      message: 'UserMigration failed with error Bad password.',
      status: 400,
    });
    expect(lambda.attemptsFor(email)).toBe(1);
    expect(await usersWithEmail(email)).toHaveLength(0);
  });

  it('a malformed answer fails the same way and creates no user', async () => {
    const email = uniqueEmail('malformed');
    lambda.answer = () => ({ raw: '{"response": {"finalUserStatus": "CONFIRMED"}}' });
    expect((await failureOf(passwordAuth(email, LEGACY_PASSWORD))).message).toBe(
      'Incorrect username or password.',
    );
    lambda.answer = () => ({ raw: 'not json' });
    expect((await failureOf(passwordAuth(email, LEGACY_PASSWORD))).name).toBe(
      'NotAuthorizedException',
    );
    expect(await usersWithEmail(email)).toHaveLength(0);
  });

  it('retries a 5xx or throttled invocation, three attempts in all', async () => {
    const flaky = uniqueEmail('flaky');
    lambda.answer = (event, attempt) =>
      attempt === 1
        ? { status: 500, errorType: 'ServiceException' }
        : attempt === 2
          ? { status: 429, errorType: 'TooManyRequestsException' }
          : migrated(event, { email: flaky, email_verified: 'true' });
    expect((await passwordAuth(flaky, LEGACY_PASSWORD)).AuthenticationResult?.AccessToken).toEqual(
      expect.any(String),
    );
    expect(lambda.attemptsFor(flaky)).toBe(3);

    const down = uniqueEmail('down');
    lambda.answer = () => ({ status: 503, errorType: 'ServiceException' });
    expect(await failureOf(passwordAuth(down, LEGACY_PASSWORD))).toEqual({
      name: 'UnexpectedLambdaException',
      message: 'UserMigration invocation failed due to error ServiceException.',
      status: 400,
    });
    expect(lambda.attemptsFor(down)).toBe(3);
    expect(await usersWithEmail(down)).toHaveLength(0);

    legacyUser(down);
    await expect(signIn(pool, userPool, down, LEGACY_PASSWORD)).resolves.toHaveProperty(
      'AccessToken',
    );
    expect(await usersWithEmail(down)).toHaveLength(1);
  });

  it('never logs the password it sends to the function', () => {
    const output = pool.process.output();
    expect(output).toContain('user migration failed');
    expect(output).toContain('UserMigration invocation failed; retrying');
    expect(output).not.toContain(LEGACY_PASSWORD);
  });
});

describe('UserMigration_ForgotPassword', () => {
  it('migrates the user without a password, sends a code, and the reset password then signs in', async () => {
    const email = uniqueEmail('forgot');
    legacyUser(email);
    const sent = await pool.client.send(
      new ForgotPasswordCommand({ ClientId: userPool.clientId, Username: email }),
    );
    expect(sent.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
    const event = lambda.invocations.at(-1)?.event;
    expect(event).toMatchObject({ triggerSource: 'UserMigration_ForgotPassword', userName: email });
    expect(event?.request).not.toHaveProperty('password');

    const [message] = await readOutbox(pool.endpoint, email);
    expect(message?.kind).toBe('forgot-password');
    await pool.client.send(
      new ConfirmForgotPasswordCommand({
        ClientId: userPool.clientId,
        Username: email,
        ConfirmationCode: message?.code,
        Password: 'N3w-Password!!',
      }),
    );
    const tokens = await signIn(pool, userPool, email, 'N3w-Password!!');
    expect(claimsOf(tokens.IdToken).email).toBe(email);
  });

  it("a failing function fails ForgotPassword with the function's message (also ENABLED), queues nothing, creates no user", async () => {
    const email = uniqueEmail('forgotfail');
    lambda.answer = () => ({ functionError: 'Unhandled' });
    const error = await failureOf(
      pool.client.send(new ForgotPasswordCommand({ ClientId: userPool.clientId, Username: email })),
    );
    expect(error).toEqual({
      name: 'UserLambdaValidationException',
      message: 'UserMigration failed with error Bad password.',
      status: 400,
    });
    expect(await readOutbox(pool.endpoint, email)).toEqual([]);
    expect(await usersWithEmail(email)).toHaveLength(0);
  });
});
