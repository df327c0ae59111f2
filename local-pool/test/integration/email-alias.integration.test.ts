import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { readOutbox, sharedLocalPool, type SharedLocalPool } from '@authstack/local-pool/testing';
import { failureOf, PASSWORD, uniqueEmail } from './helpers';

// A pool where users pick a username and may also sign in with their email once it is
// verified (AliasAttributes: ['email']), as opposed to email-as-username pools.
let pool: SharedLocalPool;
let userPoolId: string;
let clientId: string;

beforeAll(async () => {
  pool = await sharedLocalPool();
  const { UserPool } = await pool.client.send(
    new CreateUserPoolCommand({
      PoolName: `alias-${Date.now()}`,
      AliasAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
    }),
  );
  userPoolId = UserPool?.Id ?? '';
  const { UserPoolClient } = await pool.client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'alias-client',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  clientId = UserPoolClient?.ClientId ?? '';
});

afterAll(async () => {
  await pool.stop();
});

let counter = 0;
const uniqueUsername = (label: string) => {
  counter += 1;
  return `${label}_${process.pid}_${counter}_${Date.now().toString(36)}`;
};

const signInAs = async (name: string) => {
  const { AuthenticationResult } = await pool.client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: name, PASSWORD },
    }),
  );
  return AuthenticationResult?.AccessToken ?? '';
};

/** The username the access token from signing in with `name` belongs to. */
const whoSignsInWith = async (name: string) =>
  (await pool.client.send(new GetUserCommand({ AccessToken: await signInAs(name) }))).Username;

const adminGetUser = (Username: string) =>
  pool.client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username }));

const attribute = async (username: string, name: string) =>
  (await adminGetUser(username)).UserAttributes?.find((candidate) => candidate.Name === name)
    ?.Value;

async function signUp(username: string, email: string): Promise<string> {
  await pool.client.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  const [message] = await readOutbox(pool.endpoint, email);
  return message?.code ?? '';
}

const confirmSignUp = (username: string, code: string, forceAliasCreation?: boolean) =>
  pool.client.send(
    new ConfirmSignUpCommand({
      ClientId: clientId,
      Username: username,
      ConfirmationCode: code,
      ForceAliasCreation: forceAliasCreation,
    }),
  );

/** A confirmed user whose verified email is a sign-in alias. */
async function confirmedUser(label: string, email = uniqueEmail(label)) {
  const username = uniqueUsername(label);
  await confirmSignUp(username, await signUp(username, email));
  return { username, email };
}

describe('ConfirmSignUp in an email-alias pool', () => {
  it('makes the verified email a sign-in alias', async () => {
    const { username, email } = await confirmedUser('confirm');

    expect(await attribute(username, 'email_verified')).toBe('true');
    expect(await whoSignsInWith(email)).toBe(username);
    expect((await adminGetUser(email)).Username).toBe(username);
  });

  it('refuses with AliasExistsException an email another user signs in with, and leaves both as they were', async () => {
    const first = await confirmedUser('holder');
    const second = uniqueUsername('latecomer');
    const code = await signUp(second, first.email);

    expect(await failureOf(confirmSignUp(second, code))).toMatchObject({
      name: 'AliasExistsException',
      message: 'An account with the given email already exists.',
      status: 400,
    });
    expect((await adminGetUser(second)).UserStatus).toBe('UNCONFIRMED');
    expect(await attribute(second, 'email_verified')).toBe('false');
    expect(await whoSignsInWith(first.email)).toBe(first.username);
  });

  it('with ForceAliasCreation moves the alias: the old holder keeps the email unverified and signs in by username', async () => {
    const first = await confirmedUser('oldholder');
    const second = uniqueUsername('newholder');
    const code = await signUp(second, first.email);

    await confirmSignUp(second, code, true);

    expect((await adminGetUser(second)).UserStatus).toBe('CONFIRMED');
    expect(await whoSignsInWith(first.email)).toBe(second);
    expect(await attribute(first.username, 'email')).toBe(first.email);
    expect(await attribute(first.username, 'email_verified')).toBe('false');
    expect(await whoSignsInWith(first.username)).toBe(first.username);
  });
});

describe('attribute updates in an email-alias pool', () => {
  it('AdminUpdateUserAttributes giving a user another user’s verified email answers AliasExistsException', async () => {
    const holder = await confirmedUser('adminholder');
    const other = await confirmedUser('admintaker');

    const failure = await failureOf(
      pool.client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: userPoolId,
          Username: other.username,
          UserAttributes: [
            { Name: 'email', Value: holder.email },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      ),
    );

    expect(failure).toMatchObject({ name: 'AliasExistsException', status: 400 });
    expect(await attribute(other.username, 'email')).toBe(other.email);
    expect(await whoSignsInWith(holder.email)).toBe(holder.username);
    expect(await whoSignsInWith(other.email)).toBe(other.username);
  });

  it('UpdateUserAttributes may take another user’s email unverified; verifying it answers AliasExistsException', async () => {
    const holder = await confirmedUser('selfholder');
    const other = await confirmedUser('selftaker');
    const accessToken = await signInAs(other.username);

    await pool.client.send(
      new UpdateUserAttributesCommand({
        AccessToken: accessToken,
        UserAttributes: [{ Name: 'email', Value: holder.email }],
      }),
    );
    expect(await attribute(other.username, 'email_verified')).toBe('false');
    const [code] = (await readOutbox(pool.endpoint, holder.email)).filter(
      (message) => message.kind === 'verify-email',
    );

    const failure = await failureOf(
      pool.client.send(
        new VerifyUserAttributeCommand({
          AccessToken: accessToken,
          AttributeName: 'email',
          Code: code?.code ?? '',
        }),
      ),
    );

    expect(failure).toMatchObject({
      name: 'AliasExistsException',
      message: 'An account with the given email already exists.',
      status: 400,
    });
    expect(await attribute(other.username, 'email_verified')).toBe('false');
    expect(await whoSignsInWith(holder.email)).toBe(holder.username);
  });
});

describe('AdminCreateUser in an email-alias pool', () => {
  const createWithVerifiedEmail = (username: string, email: string, force?: boolean) =>
    pool.client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: username,
        TemporaryPassword: PASSWORD,
        MessageAction: 'SUPPRESS',
        ForceAliasCreation: force,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );

  it('refuses a verified email another user signs in with (AliasExistsException) unless ForceAliasCreation moves it', async () => {
    const holder = await confirmedUser('createholder');
    const refused = uniqueUsername('refused');

    expect(await failureOf(createWithVerifiedEmail(refused, holder.email))).toMatchObject({
      name: 'AliasExistsException',
      status: 400,
    });
    expect(await failureOf(adminGetUser(refused))).toMatchObject({
      name: 'UserNotFoundException',
    });

    const forced = uniqueUsername('forced');
    await createWithVerifiedEmail(forced, holder.email, true);
    expect((await adminGetUser(holder.email)).Username).toBe(forced);
    expect(await attribute(holder.username, 'email_verified')).toBe('false');
  });
});
