/**
 * The PreSignUp trigger over the real protocol: the SDK against the built pool process,
 * which invokes a real HTTP Lambda Invoke API (the scripted fake function).
 */
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  SignUpCommand,
  type AttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { createLogger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { createLambdaInvoker } from '@authstack/local-pool/adapters/lambda-invoker';
import {
  createTestUserPool,
  readOutbox,
  startLocalPool,
  type LocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { FakeLambda, migrated, type Invocation, type LambdaAnswer } from './fake-lambda';
import { failureOf, PASSWORD, uniqueEmail } from './helpers';

const PRE_SIGN_UP_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:pre-sign-up';
const MIGRATION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:user-migration';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let lambda: FakeLambda;
let lambdaEndpoint: string;
let pool: LocalPool;
let userPool: TestUserPool;

beforeAll(async () => {
  lambda = new FakeLambda();
  lambdaEndpoint = await lambda.start();
  pool = await startLocalPool({ lambdaEndpoint, env: { LOG_LEVEL: 'debug' } });
  userPool = await createTestUserPool(pool, {
    userMigrationLambdaArn: MIGRATION_ARN,
    preSignUpLambdaArn: PRE_SIGN_UP_ARN,
  });
});

afterAll(async () => {
  await pool.stop();
  await lambda.stop();
});

/** The PreSignUp invocations about one address. */
const preSignUpsFor = (email: string): Invocation[] =>
  lambda.invocations.filter(
    (invocation) =>
      invocation.functionName === 'pre-sign-up' &&
      (invocation.event.request as { userAttributes?: Record<string, string> }).userAttributes
        ?.email === email,
  );

/** The function hands the event back with `response` set to `flags`. */
const allow =
  (flags: Record<string, boolean> = {}) =>
  (event: Record<string, unknown>): LambdaAnswer => ({
    result: {
      ...event,
      response: { ...(event.response as Record<string, boolean>), ...flags },
    },
  });

const signUp = (email: string, extra: { validationData?: AttributeType[] } = {}) =>
  pool.client.send(
    new SignUpCommand({
      ClientId: userPool.clientId,
      Username: email,
      Password: PASSWORD,
      UserAttributes: [{ Name: 'name', Value: 'New Person' }],
      ValidationData: extra.validationData,
      ClientMetadata: { origin: 'test' },
    }),
  );

const usersWithEmail = async (email: string) =>
  (
    await pool.client.send(
      new ListUsersCommand({ UserPoolId: userPool.userPoolId, Filter: `email = "${email}"` }),
    )
  ).Users ?? [];

describe('the pool LambdaConfig', () => {
  it('keeps the PreSignUp ARN next to the UserMigration one', async () => {
    const { UserPool } = await pool.client.send(
      new DescribeUserPoolCommand({ UserPoolId: userPool.userPoolId }),
    );
    expect(UserPool?.LambdaConfig).toEqual({
      UserMigration: MIGRATION_ARN,
      PreSignUp: PRE_SIGN_UP_ARN,
    });
  });
});

describe('SignUp with a PreSignUp trigger (PreSignUp_SignUp)', () => {
  it("sends Cognito's event and, when the function hands it back, signs the user up as usual", async () => {
    const email = uniqueEmail('allowed');
    lambda.answer = allow();
    const result = await signUp(email, { validationData: [{ Name: 'captcha', Value: 'tok' }] });
    expect(result.UserConfirmed).toBe(false);

    const [invocation] = preSignUpsFor(email);
    // The plain name, as for UserMigration (the runtime emulator matches names only).
    expect(invocation?.functionName).toBe('pre-sign-up');
    expect(invocation?.event).toEqual({
      version: '1',
      triggerSource: 'PreSignUp_SignUp',
      region: 'us-east-1',
      userPoolId: userPool.userPoolId,
      userName: result.UserSub,
      callerContext: { awsSdkVersion: expect.any(String), clientId: userPool.clientId },
      request: {
        userAttributes: { name: 'New Person', email },
        validationData: { captcha: 'tok' },
        clientMetadata: { origin: 'test' },
      },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    });
    expect(result.UserSub).toMatch(UUID);
    expect(await usersWithEmail(email)).toEqual([
      expect.objectContaining({ UserStatus: 'UNCONFIRMED' }),
    ]);
    expect(await readOutbox(pool.endpoint, email)).toEqual([
      expect.objectContaining({ kind: 'signup' }),
    ]);
  });

  it('answers a function error with UserLambdaValidationException carrying its message, and creates no user', async () => {
    const email = uniqueEmail('refused');
    lambda.answer = () => ({
      functionError: 'Unhandled',
      errorType: 'LegacyAccountExists',
      errorMessage: 'An account with the given email already exists',
    });
    expect(await failureOf(signUp(email))).toEqual({
      name: 'UserLambdaValidationException',
      message: 'PreSignUp failed with error An account with the given email already exists.',
      status: 400,
    });
    expect(preSignUpsFor(email)).toHaveLength(1);
    expect(await usersWithEmail(email)).toHaveLength(0);
    expect(await readOutbox(pool.endpoint, email)).toEqual([]);
  });

  it('does not ask the function about an address already in the pool: UsernameExistsException', async () => {
    const email = uniqueEmail('twice');
    lambda.answer = allow();
    await signUp(email);
    lambda.answer = () => ({ functionError: 'Unhandled', errorMessage: 'never asked' });
    expect(await failureOf(signUp(email.toUpperCase()))).toMatchObject({
      name: 'UsernameExistsException',
      message: 'An account with the given email already exists.',
    });
    expect(preSignUpsFor(email)).toHaveLength(1);
  });

  it('confirms the user with autoConfirmUser (no code is sent) and verifies the address with autoVerifyEmail', async () => {
    const confirmedOnly = uniqueEmail('autoconfirm');
    lambda.answer = allow({ autoConfirmUser: true });
    await expect(signUp(confirmedOnly)).resolves.toMatchObject({ UserConfirmed: true });
    expect(await readOutbox(pool.endpoint, confirmedOnly)).toEqual([]);
    const [stored] = await usersWithEmail(confirmedOnly);
    expect(stored?.UserStatus).toBe('CONFIRMED');
    expect(stored?.Attributes).toContainEqual({ Name: 'email_verified', Value: 'false' });

    const verified = uniqueEmail('autoverify');
    lambda.answer = allow({ autoConfirmUser: true, autoVerifyEmail: true });
    await signUp(verified);
    const [both] = await usersWithEmail(verified);
    expect(both?.Attributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
    const signedIn = await pool.client.send(
      new InitiateAuthCommand({
        ClientId: userPool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: verified, PASSWORD: PASSWORD },
      }),
    );
    expect(signedIn.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });

  it('refuses autoVerifyEmail for a user who is not auto-confirmed, and creates no user', async () => {
    const email = uniqueEmail('verifyonly');
    lambda.answer = allow({ autoVerifyEmail: true });
    expect(await failureOf(signUp(email))).toMatchObject({
      name: 'InvalidParameterException',
      message: 'Phone or email cannot be auto verified, when user is not being auto confirmed.',
    });
    expect(await usersWithEmail(email)).toHaveLength(0);
  });

  it('answers an invocation Lambda refuses with UnexpectedLambdaException, without retrying', async () => {
    const email = uniqueEmail('missingfn');
    lambda.answer = () => ({ status: 404, errorType: 'ResourceNotFoundException' });
    expect(await failureOf(signUp(email))).toEqual({
      name: 'UnexpectedLambdaException',
      message: 'PreSignUp invocation failed due to error ResourceNotFoundException.',
      status: 400,
    });
    expect(preSignUpsFor(email)).toHaveLength(1);
    expect(await usersWithEmail(email)).toHaveLength(0);
  });

  it('retries a failing Lambda three times in all, then answers UnexpectedLambdaException', async () => {
    const email = uniqueEmail('flaky');
    lambda.answer = () => ({ status: 503, errorType: 'ServiceException' });
    expect(await failureOf(signUp(email))).toMatchObject({
      name: 'UnexpectedLambdaException',
      message: 'PreSignUp invocation failed due to error ServiceException.',
    });
    expect(preSignUpsFor(email)).toHaveLength(3);
    expect(await usersWithEmail(email)).toHaveLength(0);
  });

  it('answers output that is not the event with InvalidLambdaResponseException', async () => {
    const email = uniqueEmail('garbage');
    lambda.answer = () => ({ raw: 'not json' });
    expect(await failureOf(signUp(email))).toMatchObject({
      name: 'InvalidLambdaResponseException',
      message: 'Invalid lambda function output : Invalid JSON',
    });
    lambda.answer = () => ({ raw: 'null' });
    expect((await failureOf(signUp(email))).name).toBe('InvalidLambdaResponseException');
    expect(await usersWithEmail(email)).toHaveLength(0);
  });
});

describe('AdminCreateUser with a PreSignUp trigger (PreSignUp_AdminCreateUser)', () => {
  const adminCreate = (email: string) =>
    pool.client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPool.userPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: PASSWORD,
        ValidationData: [{ Name: 'source', Value: 'admin-console' }],
        ClientMetadata: { ticket: '42' },
      }),
    );

  it("sends Cognito's admin event and ignores the response flags, as Cognito does", async () => {
    const email = uniqueEmail('admin');
    lambda.answer = allow({ autoConfirmUser: true, autoVerifyEmail: true });
    const created = await adminCreate(email);
    expect(created.User?.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    expect(created.User?.Attributes).not.toContainEqual({ Name: 'email_verified', Value: 'true' });
    const [invocation] = preSignUpsFor(email);
    expect(invocation?.event).toEqual({
      version: '1',
      triggerSource: 'PreSignUp_AdminCreateUser',
      region: 'us-east-1',
      userPoolId: userPool.userPoolId,
      userName: created.User?.Username,
      callerContext: { awsSdkVersion: expect.any(String), clientId: 'CLIENT_ID_NOT_APPLICABLE' },
      request: {
        userAttributes: { email },
        validationData: { source: 'admin-console' },
        clientMetadata: { ticket: '42' },
      },
      response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
    });
    expect(created.User?.Username).toMatch(UUID);
  });

  it('answers a function error with UserLambdaValidationException and creates no user', async () => {
    const email = uniqueEmail('adminrefused');
    lambda.answer = () => ({ functionError: 'Unhandled', errorMessage: 'Not on the list' });
    expect(await failureOf(adminCreate(email))).toMatchObject({
      name: 'UserLambdaValidationException',
      message: 'PreSignUp failed with error Not on the list.',
    });
    await expect(
      pool.client.send(
        new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: email }),
      ),
    ).rejects.toMatchObject({ name: 'UserNotFoundException' });
  });
});

describe('UserMigration and PreSignUp', () => {
  it('creates a migrated user without invoking PreSignUp, as Cognito does', async () => {
    const email = uniqueEmail('migrating');
    lambda.answer = (event) =>
      event.triggerSource === 'UserMigration_Authentication'
        ? migrated(event, { email, email_verified: 'true' })
        : { functionError: 'Unhandled', errorMessage: 'PreSignUp must not run' };
    const before = lambda.invocations.length;
    const result = await pool.client.send(
      new InitiateAuthCommand({
        ClientId: userPool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: 'legacy-pw' },
      }),
    );
    expect(result.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
    expect(lambda.invocations.slice(before).map((invocation) => invocation.functionName)).toEqual([
      'user-migration',
    ]);
  });
});

describe('a pool that cannot reach its PreSignUp function', () => {
  it.each([
    [
      'no Lambda endpoint configured',
      undefined,
      'PreSignUp invocation failed due to error LOCAL_POOL_LAMBDA_ENDPOINT is not set.',
    ],
    [
      'nothing listening at the endpoint',
      'http://127.0.0.1:1',
      'PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.',
    ],
  ])('refuses sign-up (%s) rather than skip the check', async (_case, endpoint, message) => {
    const isolated = await startLocalPool(endpoint ? { lambdaEndpoint: endpoint } : {});
    try {
      const isolatedPool = await createTestUserPool(isolated, {
        preSignUpLambdaArn: PRE_SIGN_UP_ARN,
      });
      const email = uniqueEmail('unreachable');
      const attempt = isolated.client.send(
        new SignUpCommand({ ClientId: isolatedPool.clientId, Username: email, Password: PASSWORD }),
      );
      expect(await failureOf(attempt)).toEqual({
        name: 'UnexpectedLambdaException',
        message,
        status: 400,
      });
      const listed = await isolated.client.send(
        new ListUsersCommand({ UserPoolId: isolatedPool.userPoolId }),
      );
      expect(listed.Users).toEqual([]);
    } finally {
      await isolated.stop();
    }
  });
});

describe('createLambdaInvoker.invokeTrigger', () => {
  it('reports three attempts that each time out as the socket timeout Cognito names', async () => {
    const logs = new LogCapture();
    const invoker = createLambdaInvoker({
      endpoint: lambdaEndpoint,
      region: 'us-east-1',
      logger: createLogger({ name: 'test', destination: logs }),
      timeoutMs: 100,
    });
    const email = uniqueEmail('slow');
    lambda.answer = (event) => ({ ...allow()(event), delayMs: 400 });
    const event = { triggerSource: 'PreSignUp_SignUp', request: { userAttributes: { email } } };
    await expect(invoker.invokeTrigger(PRE_SIGN_UP_ARN, event)).resolves.toEqual({
      outcome: 'invocation-failed',
      error: 'Socket timeout while invoking Lambda function',
    });
    expect(preSignUpsFor(email)).toHaveLength(3);
    expect(logs.records()).toContainEqual(
      expect.objectContaining({ msg: 'PreSignUp invocation failed; retrying', attempt: 3 }),
    );
  });
});

describe('logging', () => {
  it('never logs the password or the addresses it sends to the function', () => {
    const output = pool.process.output();
    expect(output).toContain('PreSignUp trigger refused the sign-up');
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain('New Person');
    expect(output).not.toMatch(/[\w.]+@example\.com/);
  });
});
