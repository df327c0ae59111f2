import { createHmac } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminRespondToAuthChallengeCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createTestUserPool,
  readOutbox,
  sharedLocalPool,
  startLocalPool,
  type LocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { claimsOf, createConfirmedUser, failureOf, PASSWORD, signIn, uniqueEmail } from './helpers';

let pool: SharedLocalPool;
let userPool: TestUserPool;

beforeAll(async () => {
  pool = await sharedLocalPool();
  userPool = await createTestUserPool(pool);
});

afterAll(async () => {
  await pool.stop();
});

const passwordAuth = (username: string, password: string, clientId = userPool.clientId) =>
  pool.client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );

describe('SignUp / ConfirmSignUp / ResendConfirmationCode', () => {
  it('creates an UNCONFIRMED user, queues a 6-digit code in the outbox, and confirms with it', async () => {
    const email = uniqueEmail('signup');
    const signedUp = await pool.client.send(
      new SignUpCommand({
        ClientId: userPool.clientId,
        Username: email,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'name', Value: 'Sign Up' }],
      }),
    );
    expect(signedUp.UserConfirmed).toBe(false);
    expect(signedUp.UserSub).toMatch(/^[0-9a-f-]{36}$/);
    expect(signedUp.CodeDeliveryDetails).toEqual({
      Destination: `${email[0]}***@e***`,
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    const [message] = await readOutbox(pool.endpoint, email);
    expect(message).toMatchObject({
      to: email,
      kind: 'signup',
      code: expect.stringMatching(/^\d{6}$/),
    });
    expect(new Date(message?.createdAt ?? '').getTime()).not.toBeNaN();

    const before = await pool.client.send(
      new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: email }),
    );
    expect(before.UserStatus).toBe('UNCONFIRMED');
    expect(await failureOf(passwordAuth(email, PASSWORD))).toEqual(
      expect.objectContaining({ name: 'UserNotConfirmedException' }),
    );

    await pool.client.send(
      new ConfirmSignUpCommand({
        ClientId: userPool.clientId,
        Username: email,
        ConfirmationCode: message?.code,
      }),
    );
    const after = await pool.client.send(
      new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: email }),
    );
    expect(after.UserStatus).toBe('CONFIRMED');
    expect(after.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
    const tokens = await signIn(pool, userPool, email);
    expect(claimsOf(tokens.IdToken)).toMatchObject({ email_verified: true, name: 'Sign Up' });
  });

  it('uses the sub as the username when email is the username attribute', async () => {
    const email = uniqueEmail('sub');
    const { UserSub } = await pool.client.send(
      new SignUpCommand({ ClientId: userPool.clientId, Username: email, Password: PASSWORD }),
    );
    const user = await pool.client.send(
      new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: email }),
    );
    expect(user.Username).toBe(UserSub);
  });

  it('refuses a wrong code, then a reused one, and keeps the user UNCONFIRMED', async () => {
    const email = uniqueEmail('code');
    await pool.client.send(
      new SignUpCommand({ ClientId: userPool.clientId, Username: email, Password: PASSWORD }),
    );
    const [first] = await readOutbox(pool.endpoint, email);
    const wrong = first?.code === '000000' ? '000001' : '000000';
    expect(
      await failureOf(
        pool.client.send(
          new ConfirmSignUpCommand({
            ClientId: userPool.clientId,
            Username: email,
            ConfirmationCode: wrong,
          }),
        ),
      ),
    ).toMatchObject({ name: 'CodeMismatchException' });

    await pool.client.send(
      new ResendConfirmationCodeCommand({ ClientId: userPool.clientId, Username: email }),
    );
    const messages = await readOutbox(pool.endpoint, email);
    expect(messages).toHaveLength(2);
    const [newest] = messages;
    if (newest?.code !== first?.code) {
      expect(
        await failureOf(
          pool.client.send(
            new ConfirmSignUpCommand({
              ClientId: userPool.clientId,
              Username: email,
              ConfirmationCode: first?.code,
            }),
          ),
        ),
      ).toMatchObject({ name: 'CodeMismatchException' });
    }
    await pool.client.send(
      new ConfirmSignUpCommand({
        ClientId: userPool.clientId,
        Username: email,
        ConfirmationCode: newest?.code,
      }),
    );
    expect(
      await failureOf(
        pool.client.send(
          new ConfirmSignUpCommand({
            ClientId: userPool.clientId,
            Username: email,
            ConfirmationCode: newest?.code,
          }),
        ),
      ),
    ).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User cannot be confirmed. Current status is CONFIRMED',
    });
  });

  it('reports UsernameExistsException for a taken email, in any case', async () => {
    const email = uniqueEmail('taken');
    await pool.client.send(
      new SignUpCommand({ ClientId: userPool.clientId, Username: email, Password: PASSWORD }),
    );
    const error = await failureOf(
      pool.client.send(
        new SignUpCommand({
          ClientId: userPool.clientId,
          Username: email.toUpperCase(),
          Password: PASSWORD,
        }),
      ),
    );
    expect(error).toMatchObject({
      name: 'UsernameExistsException',
      message: 'An account with the given email already exists.',
    });
  });

  it("enforces the password policy with Cognito's message and creates nothing", async () => {
    const email = uniqueEmail('weak');
    const error = await failureOf(
      pool.client.send(
        new SignUpCommand({ ClientId: userPool.clientId, Username: email, Password: 'short' }),
      ),
    );
    expect(error).toEqual({
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password not long enough',
      status: 400,
    });
    expect(
      await failureOf(
        pool.client.send(
          new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: email }),
        ),
      ),
    ).toMatchObject({ name: 'UserNotFoundException' });
  });

  it('refuses a username that is not an email and an attribute outside the schema', async () => {
    expect(
      await failureOf(
        pool.client.send(
          new SignUpCommand({ ClientId: userPool.clientId, Username: 'plain', Password: PASSWORD }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterException', message: 'Username should be an email.' });
    expect(
      await failureOf(
        pool.client.send(
          new SignUpCommand({
            ClientId: userPool.clientId,
            Username: uniqueEmail(),
            Password: PASSWORD,
            UserAttributes: [{ Name: 'custom:nope', Value: 'x' }],
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('InitiateAuth USER_PASSWORD_AUTH', () => {
  it('returns ID, access and refresh tokens with ExpiresIn and TokenType Bearer', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const result = await passwordAuth(user.email, PASSWORD);
    expect(result.AuthenticationResult).toEqual({
      AccessToken: expect.any(String),
      IdToken: expect.any(String),
      RefreshToken: expect.any(String),
      ExpiresIn: 3600,
      TokenType: 'Bearer',
    });
  });

  it('signs in with the email in any case (CaseSensitive=false)', async () => {
    const user = await createConfirmedUser(pool, userPool, uniqueEmail('MixedCase'));
    const tokens = await signIn(pool, userPool, user.email.toUpperCase());
    expect(claimsOf(tokens.IdToken).sub).toBe(user.sub);
  });

  it('gives the same NotAuthorizedException for a wrong password and an unknown user (ENABLED)', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const wrongPassword = await failureOf(passwordAuth(user.email, 'Wr0ng-Password!'));
    const unknownUser = await failureOf(passwordAuth(uniqueEmail('ghost'), PASSWORD));
    expect(wrongPassword).toEqual({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
      status: 400,
    });
    expect(unknownUser).toEqual(wrongPassword);
  });

  it('reveals UserNotFoundException for an unknown user when the client is LEGACY', async () => {
    const { UserPoolClient } = await pool.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPool.userPoolId,
        ClientName: 'legacy',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const error = await failureOf(
      passwordAuth(uniqueEmail('ghost'), PASSWORD, UserPoolClient?.ClientId),
    );
    expect(error).toMatchObject({ name: 'UserNotFoundException', message: 'User does not exist.' });
  });

  it('refuses a flow the client does not allow', async () => {
    const { UserPoolClient } = await pool.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPool.userPoolId,
        ClientName: 'srp-only',
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const user = await createConfirmedUser(pool, userPool);
    const error = await failureOf(passwordAuth(user.email, PASSWORD, UserPoolClient?.ClientId));
    expect(error).toMatchObject({
      name: 'InvalidParameterException',
      message: 'USER_PASSWORD_AUTH flow not enabled for this client',
    });
  });

  it('answers "User is disabled." for a disabled user, and signs in again once enabled', async () => {
    const user = await createConfirmedUser(pool, userPool);
    await pool.client.send(
      new AdminDisableUserCommand({ UserPoolId: userPool.userPoolId, Username: user.email }),
    );
    expect(await failureOf(passwordAuth(user.email, PASSWORD))).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User is disabled.',
    });
    await pool.client.send(
      new AdminEnableUserCommand({ UserPoolId: userPool.userPoolId, Username: user.email }),
    );
    await expect(signIn(pool, userPool, user.email)).resolves.toHaveProperty('AccessToken');
  });

  it('answers PasswordResetRequiredException for a RESET_REQUIRED user', async () => {
    const user = await createConfirmedUser(pool, userPool);
    await pool.client.send(
      new AdminResetUserPasswordCommand({ UserPoolId: userPool.userPoolId, Username: user.email }),
    );
    expect(await failureOf(passwordAuth(user.email, PASSWORD))).toMatchObject({
      name: 'PasswordResetRequiredException',
    });
    const [message] = await readOutbox(pool.endpoint, user.email);
    expect(message?.kind).toBe('forgot-password');
  });
});

describe('NEW_PASSWORD_REQUIRED for FORCE_CHANGE_PASSWORD users', () => {
  const TEMPORARY = 'Temp-Passw0rd!';

  async function invitedUser(): Promise<string> {
    const email = uniqueEmail('invited');
    await pool.client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPool.userPoolId,
        Username: email,
        TemporaryPassword: TEMPORARY,
        MessageAction: 'SUPPRESS',
      }),
    );
    return email;
  }

  it('challenges the first sign-in and issues tokens once a valid new password is set', async () => {
    const email = await invitedUser();
    const challenge = await passwordAuth(email, TEMPORARY);
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(challenge.Session).toEqual(expect.any(String));
    expect(challenge.AuthenticationResult).toBeUndefined();
    const weak = await failureOf(
      pool.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: userPool.clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: email, NEW_PASSWORD: 'weak' },
        }),
      ),
    );
    expect(weak.name).toBe('InvalidPasswordException');
    const answered = await pool.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: userPool.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: {
          USERNAME: email,
          NEW_PASSWORD: PASSWORD,
          'userAttributes.name': 'Invited',
        },
      }),
    );
    expect(answered.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
    expect(claimsOf(answered.AuthenticationResult?.IdToken ?? '').name).toBe('Invited');
    const user = await pool.client.send(
      new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: email }),
    );
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(
      await failureOf(
        pool.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: userPool.clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: challenge.Session,
            ChallengeResponses: { USERNAME: email, NEW_PASSWORD: PASSWORD },
          }),
        ),
      ),
    ).toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('works through AdminInitiateAuth and AdminRespondToAuthChallenge', async () => {
    const email = await invitedUser();
    const challenge = await pool.client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: userPool.userPoolId,
        ClientId: userPool.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: TEMPORARY },
      }),
    );
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const answered = await pool.client.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: userPool.userPoolId,
        ClientId: userPool.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: PASSWORD },
      }),
    );
    expect(answered.AuthenticationResult?.RefreshToken).toEqual(expect.any(String));
  });
});

describe('AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH', () => {
  it('issues tokens for the right password and refuses the wrong one like InitiateAuth', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const adminAuth = (password: string) =>
      pool.client.send(
        new AdminInitiateAuthCommand({
          UserPoolId: userPool.userPoolId,
          ClientId: userPool.clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: user.email, PASSWORD: password },
        }),
      );
    expect((await adminAuth(PASSWORD)).AuthenticationResult?.TokenType).toBe('Bearer');
    expect(await failureOf(adminAuth('Wr0ng-Password!'))).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });
});

describe('clients with a secret (SECRET_HASH)', () => {
  let secretPool: TestUserPool;
  const secretHash = (username: string) =>
    createHmac('sha256', secretPool.clientSecret ?? '')
      .update(username + secretPool.clientId)
      .digest('base64');

  beforeAll(async () => {
    secretPool = await createTestUserPool(pool, { generateSecret: true });
  });

  it('requires SECRET_HASH and accepts the right one', async () => {
    const user = await createConfirmedUser(pool, secretPool);
    const missing = await failureOf(passwordAuth(user.email, PASSWORD, secretPool.clientId));
    expect(missing).toMatchObject({
      name: 'NotAuthorizedException',
      message: `Client ${secretPool.clientId} is configured for secret but secret was not received`,
    });
    const wrong = await failureOf(
      pool.client.send(
        new InitiateAuthCommand({
          ClientId: secretPool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: {
            USERNAME: user.email,
            PASSWORD: PASSWORD,
            SECRET_HASH: secretHash('someone-else'),
          },
        }),
      ),
    );
    expect(wrong).toMatchObject({
      name: 'NotAuthorizedException',
      message: `Unable to verify secret hash for client ${secretPool.clientId}`,
    });
    const ok = await pool.client.send(
      new InitiateAuthCommand({
        ClientId: secretPool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: {
          USERNAME: user.email,
          PASSWORD: PASSWORD,
          SECRET_HASH: secretHash(user.email),
        },
      }),
    );
    expect(ok.AuthenticationResult?.AccessToken).toEqual(expect.any(String));

    const refreshed = await pool.client.send(
      new InitiateAuthCommand({
        ClientId: secretPool.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: {
          REFRESH_TOKEN: ok.AuthenticationResult?.RefreshToken ?? '',
          SECRET_HASH: secretHash(user.username),
        },
      }),
    );
    expect(refreshed.AuthenticationResult?.IdToken).toEqual(expect.any(String));
  });

  it('requires SECRET_HASH on SignUp too', async () => {
    const error = await failureOf(
      pool.client.send(
        new SignUpCommand({
          ClientId: secretPool.clientId,
          Username: uniqueEmail(),
          Password: PASSWORD,
        }),
      ),
    );
    expect(error.name).toBe('NotAuthorizedException');
  });
});

describe('failed sign-in lockout (LOCAL_POOL_SIGNIN_LOCKOUT=true)', () => {
  let lockingPool: LocalPool;
  let lockingUserPool: TestUserPool;

  beforeAll(async () => {
    lockingPool = await startLocalPool({ env: { LOCAL_POOL_SIGNIN_LOCKOUT: 'true' } });
    lockingUserPool = await createTestUserPool(lockingPool);
  });

  afterAll(async () => {
    await lockingPool.stop();
  });

  it('refuses even the right password after five failures, as Cognito does', async () => {
    const user = await createConfirmedUser(lockingPool, lockingUserPool);
    const attempt = (password: string) =>
      lockingPool.client.send(
        new InitiateAuthCommand({
          ClientId: lockingUserPool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: user.email, PASSWORD: password },
        }),
      );
    for (let i = 0; i < 5; i += 1) {
      expect((await failureOf(attempt('Wr0ng-Password!'))).message).toBe(
        'Incorrect username or password.',
      );
    }
    expect(await failureOf(attempt(PASSWORD))).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Password attempts exceeded',
    });
  });
});
