import {
  CreateUserPoolClientCommand,
  ForgotPasswordCommand,
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
import { FakeLambda } from './fake-lambda';
import { failureOf, uniqueEmail } from './helpers';

/**
 * How a UserMigration trigger that fails reaches the caller, as Cognito answers: the error
 * the function threw, its message passed on, in both PreventUserExistenceErrors modes, for
 * sign-in and forgot-password alike (the auth-server reads the message to tell "cannot
 * check right now" from a refusal); no answer is UnexpectedLambdaException. Nothing is
 * created in either case.
 */
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:user-migration';
const UNAVAILABLE = 'The legacy user store is unavailable';

let lambda: FakeLambda;
let pool: LocalPool;
let userPool: TestUserPool;
/** The app client of each PreventUserExistenceErrors mode. */
const clients: Record<'ENABLED' | 'LEGACY', string> = { ENABLED: '', LEGACY: '' };

beforeAll(async () => {
  lambda = new FakeLambda();
  pool = await startLocalPool({ lambdaEndpoint: await lambda.start() });
  userPool = await createTestUserPool(pool, { userMigrationLambdaArn: FUNCTION_ARN });
  clients.ENABLED = userPool.clientId;
  const legacy = await pool.client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPool.userPoolId,
      ClientName: 'legacy-errors',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'LEGACY',
    }),
  );
  clients.LEGACY = legacy.UserPoolClient?.ClientId ?? '';
});

afterAll(async () => {
  await pool?.stop();
  await lambda?.stop();
});

const signIn = (clientId: string, email: string) =>
  pool.client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: 'Legacy-Passw0rd!' },
    }),
  );
const forgotPassword = (clientId: string, email: string) =>
  pool.client.send(new ForgotPasswordCommand({ ClientId: clientId, Username: email }));
const calls = { signIn, forgotPassword };

async function expectNothingCreated(email: string): Promise<void> {
  const listed = await pool.client.send(
    new ListUsersCommand({ UserPoolId: userPool.userPoolId, Filter: `email = "${email}"` }),
  );
  expect(listed.Users).toEqual([]);
  expect(await readOutbox(pool.endpoint, email)).toEqual([]);
}

const cases = (['ENABLED', 'LEGACY'] as const).flatMap((mode) =>
  (['signIn', 'forgotPassword'] as const).map((call) => [mode, call] as const),
);

describe('a UserMigration function that throws', () => {
  it.each(cases)(
    '%s client, %s: UserLambdaValidationException "UserMigration failed with error <its message>."',
    async (mode, call) => {
      const email = uniqueEmail(`threw.${call}`);
      lambda.answer = () => ({
        functionError: 'Unhandled',
        errorType: 'LegacyStoreUnavailable',
        errorMessage: UNAVAILABLE,
      });
      expect(await failureOf(calls[call](clients[mode], email))).toEqual({
        name: 'UserLambdaValidationException',
        message: `UserMigration failed with error ${UNAVAILABLE}.`,
        status: 400,
      });
      expect(lambda.attemptsFor(email)).toBe(1);
      await expectNothingCreated(email);
    },
  );
});

describe('a UserMigration function that cannot be invoked', () => {
  it.each(cases)(
    '%s client, %s: UnexpectedLambdaException after three attempts',
    async (mode, call) => {
      const email = uniqueEmail(`throttled.${call}`);
      lambda.answer = () => ({ status: 429, errorType: 'TooManyRequestsException' });
      expect(await failureOf(calls[call](clients[mode], email))).toEqual({
        name: 'UnexpectedLambdaException',
        message: 'UserMigration invocation failed due to error TooManyRequestsException.',
        status: 400,
      });
      expect(lambda.attemptsFor(email)).toBe(3);
      await expectNothingCreated(email);
    },
  );

  it('names the socket timeout when nothing answers at the Lambda endpoint', async () => {
    const isolated = await startLocalPool({ lambdaEndpoint: 'http://127.0.0.1:1' });
    try {
      const isolatedPool = await createTestUserPool(isolated, {
        userMigrationLambdaArn: FUNCTION_ARN,
      });
      const email = uniqueEmail('nolambda');
      const attempt = isolated.client.send(
        new InitiateAuthCommand({
          ClientId: isolatedPool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: 'Legacy-Passw0rd!' },
        }),
      );
      expect(await failureOf(attempt)).toEqual({
        name: 'UnexpectedLambdaException',
        message:
          'UserMigration invocation failed due to error Socket timeout while invoking Lambda function.',
        status: 400,
      });
    } finally {
      await isolated.stop();
    }
  });
});

describe('a UserMigration function that answers something the pool cannot use', () => {
  it.each([
    ['ENABLED', 'NotAuthorizedException', 'Incorrect username or password.'],
    ['LEGACY', 'UserNotFoundException', 'Exception migrating user in app client <client>'],
  ] as const)(
    '%s client: %s, as for an unknown user (kept as before)',
    async (mode, name, message) => {
      const email = uniqueEmail('shapeless');
      lambda.answer = () => ({ raw: '{"response": {"finalUserStatus": "CONFIRMED"}}' });
      expect(await failureOf(signIn(clients[mode], email))).toEqual({
        name,
        message: message.replace('<client>', clients[mode]),
        status: 400,
      });
      await expectNothingCreated(email);
    },
  );
});
