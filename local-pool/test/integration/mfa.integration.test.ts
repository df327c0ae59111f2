import { createHmac } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserMFAPreferenceCommand,
  AssociateSoftwareTokenCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  UpdateUserPoolCommand,
  VerifySoftwareTokenCommand,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createTestUserPool,
  sharedLocalPool,
  startLocalPool,
  type LocalPool,
  type LocalPoolHandle,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { STEP_MS, totpCode } from '../../src/testing/totp-codes';
import { claimsOf, createConfirmedUser, failureOf, PASSWORD, signIn, uniqueEmail } from './helpers';

// Codes are made with otplib (the pool checks them with otpauth). A user's codes are taken
// at most once per 30-second step, so a test that needs a second code right away uses the
// next step's (accepted as one step of clock drift) instead of waiting for it.
const nowCode = (secret: string): string => totpCode(secret);
const nextCode = (secret: string): string => totpCode(secret, Date.now() + STEP_MS);

let pool: SharedLocalPool;
let optional: TestUserPool;

beforeAll(async () => {
  pool = await sharedLocalPool();
  optional = await createTestUserPool(pool, { mfaConfiguration: 'OPTIONAL' });
});

afterAll(async () => {
  await pool.stop();
});

interface Enrolled {
  email: string;
  username: string;
  secret: string;
  accessToken: string;
  /** The code VerifySoftwareToken took: its step counts as used. */
  enrolmentCode: string;
}

/** A confirmed user who set up an authenticator with an access token and turned TOTP on (code of the current step used). */
async function enrolledUser(
  userPool: TestUserPool,
  local: LocalPoolHandle = pool,
  deviceName = 'Work phone',
): Promise<Enrolled> {
  const user = await createConfirmedUser(local, userPool, uniqueEmail('mfa'));
  const { AccessToken: accessToken } = await signIn(local, userPool, user.email);
  const { SecretCode: secret, Session } = await local.client.send(
    new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
  );
  expect(Session).toBeUndefined();
  if (!secret) throw new Error('AssociateSoftwareToken returned no SecretCode');
  const enrolmentCode = nowCode(secret);
  const verified = await local.client.send(
    new VerifySoftwareTokenCommand({
      AccessToken: accessToken,
      UserCode: enrolmentCode,
      FriendlyDeviceName: deviceName,
    }),
  );
  expect(verified).toMatchObject({ Status: 'SUCCESS' });
  expect(verified.Session).toBeUndefined();
  await local.client.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: accessToken,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  return { email: user.email, username: user.username, secret, accessToken, enrolmentCode };
}

const passwordSignIn = (
  userPool: TestUserPool,
  email: string,
  local: LocalPoolHandle = pool,
): Promise<InitiateAuthCommandOutput> =>
  local.client.send(
    new InitiateAuthCommand({
      ClientId: userPool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD },
    }),
  );

const answerTotp = (
  userPool: TestUserPool,
  session: string | undefined,
  username: string,
  code: string,
  local: LocalPoolHandle = pool,
) =>
  local.client.send(
    new RespondToAuthChallengeCommand({
      ClientId: userPool.clientId,
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: session,
      ChallengeResponses: { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code },
    }),
  );

describe('user pool MFA configuration', () => {
  it('is OFF with TOTP disabled for a new pool, and SetUserPoolMfaConfig turns it on', async () => {
    const plain = await createTestUserPool(pool);
    expect(
      await pool.client.send(new GetUserPoolMfaConfigCommand({ UserPoolId: plain.userPoolId })),
    ).toMatchObject({ MfaConfiguration: 'OFF', SoftwareTokenMfaConfiguration: { Enabled: false } });

    const set = await pool.client.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: plain.userPoolId,
        MfaConfiguration: 'OPTIONAL',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
    expect(set).toMatchObject({
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    });
    const { UserPool } = await pool.client.send(
      new DescribeUserPoolCommand({ UserPoolId: plain.userPoolId }),
    );
    expect(UserPool?.MfaConfiguration).toBe('OPTIONAL');
  });

  it("refuses ON without a factor and OFF with one, in Cognito's words", async () => {
    const plain = await createTestUserPool(pool);
    expect(
      await failureOf(
        pool.client.send(
          new SetUserPoolMfaConfigCommand({ UserPoolId: plain.userPoolId, MfaConfiguration: 'ON' }),
        ),
      ),
    ).toEqual({
      name: 'InvalidParameterException',
      message:
        "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
      status: 400,
    });
    expect(
      await failureOf(
        pool.client.send(
          new SetUserPoolMfaConfigCommand({
            UserPoolId: plain.userPoolId,
            MfaConfiguration: 'OFF',
            SoftwareTokenMfaConfiguration: { Enabled: true },
          }),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidParameterException',
      message: "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
    });
  });

  it('cannot turn MFA on in CreateUserPool (no SMS locally), and UpdateUserPool resets it to OFF when not given it', async () => {
    expect(
      await failureOf(
        pool.client.send(
          new CreateUserPoolCommand({ PoolName: `mfa-on-${Date.now()}`, MfaConfiguration: 'ON' }),
        ),
      ),
    ).toMatchObject({
      name: 'InvalidParameterException',
      message:
        'SMS configuration and Auto verification for phone_number are required when MFA is required/optional',
    });
    const mfaPool = await createTestUserPool(pool, { mfaConfiguration: 'OPTIONAL' });
    await pool.client.send(
      new UpdateUserPoolCommand({ UserPoolId: mfaPool.userPoolId, MfaConfiguration: 'ON' }),
    );
    const describe = () =>
      pool.client.send(new DescribeUserPoolCommand({ UserPoolId: mfaPool.userPoolId }));
    expect((await describe()).UserPool?.MfaConfiguration).toBe('ON');
    await pool.client.send(new UpdateUserPoolCommand({ UserPoolId: mfaPool.userPoolId }));
    expect((await describe()).UserPool?.MfaConfiguration).toBe('OFF');
  });

  it('refuses to associate an authenticator while the pool has TOTP disabled', async () => {
    const plain = await createTestUserPool(pool);
    const user = await createConfirmedUser(pool, plain);
    const { AccessToken } = await signIn(pool, plain, user.email);
    expect(
      await failureOf(pool.client.send(new AssociateSoftwareTokenCommand({ AccessToken }))),
    ).toEqual({
      name: 'SoftwareTokenMFANotFoundException',
      message: 'Software Token MFA has not been enabled by the userPool.',
      status: 400,
    });
  });
});

describe('enrolment with an access token', () => {
  it('verifies a code for the associated secret, and only SetUserMFAPreference turns TOTP on', async () => {
    const user = await createConfirmedUser(pool, optional, uniqueEmail('enrol'));
    const { AccessToken } = await signIn(pool, optional, user.email);
    const { SecretCode } = await pool.client.send(
      new AssociateSoftwareTokenCommand({ AccessToken }),
    );
    expect(SecretCode).toMatch(/^[A-Z2-7]{52}$/);
    const secret = SecretCode ?? '';
    const code = nowCode(secret);
    const wrong = code === '000000' ? '000001' : '000000';

    expect(
      await failureOf(
        pool.client.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: wrong })),
      ),
    ).toEqual({
      name: 'EnableSoftwareTokenMFAException',
      message: 'Code mismatch and fail enable Software Token MFA',
      status: 400,
    });
    expect(
      await failureOf(
        pool.client.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: '12ab56' })),
      ),
    ).toMatchObject({ name: 'InvalidParameterException' });
    expect(
      await failureOf(
        pool.client.send(
          new SetUserMFAPreferenceCommand({
            AccessToken,
            SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
          }),
        ),
      ),
    ).toEqual({
      name: 'InvalidParameterException',
      message: 'User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA',
      status: 400,
    });

    expect(
      await pool.client.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: code })),
    ).toMatchObject({ Status: 'SUCCESS' });
    const verifiedOnly = await pool.client.send(new GetUserCommand({ AccessToken }));
    expect(verifiedOnly.UserMFASettingList).toBeUndefined();
    expect(verifiedOnly.PreferredMfaSetting).toBeUndefined();
    expect((await passwordSignIn(optional, user.email)).AuthenticationResult).toBeDefined();

    await pool.client.send(
      new SetUserMFAPreferenceCommand({
        AccessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const self = await pool.client.send(new GetUserCommand({ AccessToken }));
    expect(self).toMatchObject({
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    });
    expect(self.MFAOptions).toBeUndefined();
    const admin = await pool.client.send(
      new AdminGetUserCommand({ UserPoolId: optional.userPoolId, Username: user.email }),
    );
    expect(admin).toMatchObject({
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    });
  });

  it('reports TOTP turned on but not preferred when PreferredMfa is false', async () => {
    const { accessToken } = await enrolledUser(optional);
    await pool.client.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: false },
      }),
    );
    const self = await pool.client.send(new GetUserCommand({ AccessToken: accessToken }));
    expect(self.UserMFASettingList).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(self.PreferredMfaSetting).toBeUndefined();
  });
});

describe('sign-in with TOTP (MfaConfiguration OPTIONAL)', () => {
  it('answers SOFTWARE_TOKEN_MFA instead of tokens, refuses a wrong code, then takes the right one once', async () => {
    const user = await enrolledUser(optional);
    const challenge = await passwordSignIn(optional, user.email);
    expect(challenge.AuthenticationResult).toBeUndefined();
    expect(challenge).toMatchObject({
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: expect.any(String),
      ChallengeParameters: { FRIENDLY_DEVICE_NAME: 'Work phone', USER_ID_FOR_SRP: user.username },
    });

    const code = nextCode(user.secret);
    const wrong = code === '000000' ? '000001' : '000000';
    expect(await failureOf(answerTotp(optional, challenge.Session, user.email, wrong))).toEqual({
      name: 'CodeMismatchException',
      message: 'Invalid code received for user',
      status: 400,
    });
    const answered = await answerTotp(optional, challenge.Session, user.email, code);
    expect(answered.AuthenticationResult).toMatchObject({
      AccessToken: expect.any(String),
      IdToken: expect.any(String),
      RefreshToken: expect.any(String),
      TokenType: 'Bearer',
    });
    expect(claimsOf(answered.AuthenticationResult?.IdToken ?? '').email).toBe(user.email);
    expect(
      await failureOf(answerTotp(optional, challenge.Session, user.email, code)),
    ).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Invalid session for the user, session can only be used once.',
    });
  });

  it('refuses a code already used in its time step with ExpiredCodeException', async () => {
    const user = await enrolledUser(optional);
    const challenge = await passwordSignIn(optional, user.email);
    expect(
      await failureOf(answerTotp(optional, challenge.Session, user.email, user.enrolmentCode)),
    ).toEqual({
      name: 'ExpiredCodeException',
      message: 'Your software token has already been used once.',
      status: 400,
    });
    const next = await answerTotp(optional, challenge.Session, user.email, nextCode(user.secret));
    expect(next.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });

  it('works through AdminInitiateAuth and AdminRespondToAuthChallenge', async () => {
    const user = await enrolledUser(optional);
    const challenge = await pool.client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: optional.userPoolId,
        ClientId: optional.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.email, PASSWORD },
      }),
    );
    expect(challenge.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const answered = await pool.client.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: optional.userPoolId,
        ClientId: optional.clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: challenge.Session,
        ChallengeResponses: {
          USERNAME: user.email,
          SOFTWARE_TOKEN_MFA_CODE: nextCode(user.secret),
        },
      }),
    );
    expect(answered.AuthenticationResult?.RefreshToken).toEqual(expect.any(String));
  });

  it("refuses another user's name for the session", async () => {
    const user = await enrolledUser(optional);
    const other = await createConfirmedUser(pool, optional);
    const challenge = await passwordSignIn(optional, user.email);
    expect(
      await failureOf(answerTotp(optional, challenge.Session, other.email, nextCode(user.secret))),
    ).toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('needs SECRET_HASH in the challenge answer when the client has a secret', async () => {
    const secretPool = await createTestUserPool(pool, {
      generateSecret: true,
      mfaConfiguration: 'OPTIONAL',
    });
    const secretHash = (username: string) =>
      createHmac('sha256', secretPool.clientSecret ?? '')
        .update(username + secretPool.clientId)
        .digest('base64');
    const user = await createConfirmedUser(pool, secretPool, uniqueEmail('secret'));
    const first = await pool.client.send(
      new InitiateAuthCommand({
        ClientId: secretPool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.email, PASSWORD, SECRET_HASH: secretHash(user.email) },
      }),
    );
    const accessToken = first.AuthenticationResult?.AccessToken;
    const { SecretCode } = await pool.client.send(
      new AssociateSoftwareTokenCommand({ AccessToken: accessToken }),
    );
    const secret = SecretCode ?? '';
    await pool.client.send(
      new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: nowCode(secret) }),
    );
    await pool.client.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: true },
      }),
    );
    const challenge = await pool.client.send(
      new InitiateAuthCommand({
        ClientId: secretPool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.email, PASSWORD, SECRET_HASH: secretHash(user.email) },
      }),
    );
    const respond = (responses: Record<string, string>) =>
      pool.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: secretPool.clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: challenge.Session,
          ChallengeResponses: {
            USERNAME: user.email,
            SOFTWARE_TOKEN_MFA_CODE: nextCode(secret),
            ...responses,
          },
        }),
      );
    expect(await failureOf(respond({}))).toMatchObject({
      name: 'NotAuthorizedException',
      message: `Client ${secretPool.clientId} is configured for secret but secret was not received`,
    });
    const answered = await respond({ SECRET_HASH: secretHash(user.email) });
    expect(answered.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });

  it('keeps the verified authenticator working until a newly associated one is verified', async () => {
    const user = await enrolledUser(optional);
    await pool.client.send(new AssociateSoftwareTokenCommand({ AccessToken: user.accessToken }));
    const challenge = await passwordSignIn(optional, user.email);
    const answered = await answerTotp(
      optional,
      challenge.Session,
      user.email,
      nextCode(user.secret),
    );
    expect(answered.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });
});

describe('turning TOTP off', () => {
  it('SetUserMFAPreference with Enabled false: sign-in issues tokens and GetUser reports no MFA', async () => {
    const user = await enrolledUser(optional);
    await pool.client.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: user.accessToken,
        SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
      }),
    );
    const signedIn = await passwordSignIn(optional, user.email);
    expect(signedIn.ChallengeName).toBeUndefined();
    expect(signedIn.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
    const self = await pool.client.send(new GetUserCommand({ AccessToken: user.accessToken }));
    expect(self.UserMFASettingList).toBeUndefined();
    expect(self.PreferredMfaSetting).toBeUndefined();
  });

  it('AdminSetUserMFAPreference resets a user who lost their authenticator, who can enrol again', async () => {
    const user = await enrolledUser(optional);
    await pool.client.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: optional.userPoolId,
        Username: user.email,
        SoftwareTokenMfaSettings: { Enabled: false },
      }),
    );
    const admin = await pool.client.send(
      new AdminGetUserCommand({ UserPoolId: optional.userPoolId, Username: user.email }),
    );
    expect(admin.UserMFASettingList).toBeUndefined();
    const tokens = await signIn(pool, optional, user.email);

    const { SecretCode } = await pool.client.send(
      new AssociateSoftwareTokenCommand({ AccessToken: tokens.AccessToken }),
    );
    const secret = SecretCode ?? '';
    expect(secret).not.toBe(user.secret);
    await pool.client.send(
      new VerifySoftwareTokenCommand({
        AccessToken: tokens.AccessToken,
        UserCode: nowCode(secret),
      }),
    );
    await pool.client.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: optional.userPoolId,
        Username: user.email,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const challenge = await passwordSignIn(optional, user.email);
    expect(challenge.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    const answered = await answerTotp(optional, challenge.Session, user.email, nextCode(secret));
    expect(answered.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });
});

describe('MfaConfiguration ON', () => {
  let required: TestUserPool;

  beforeAll(async () => {
    required = await createTestUserPool(pool, { mfaConfiguration: 'ON' });
  });

  it('makes a user with no authenticator set one up with the MFA_SETUP session, then challenges with it', async () => {
    const user = await createConfirmedUser(pool, required, uniqueEmail('required'));
    const setup = await passwordSignIn(required, user.email);
    expect(setup).toMatchObject({
      ChallengeName: 'MFA_SETUP',
      Session: expect.any(String),
      ChallengeParameters: {
        MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]',
        USER_ID_FOR_SRP: user.username,
      },
    });
    expect(setup.AuthenticationResult).toBeUndefined();
    const respondSetup = (session: string | undefined) =>
      pool.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: required.clientId,
          ChallengeName: 'MFA_SETUP',
          Session: session,
          ChallengeResponses: { USERNAME: user.email },
        }),
      );
    expect(await failureOf(respondSetup(setup.Session))).toMatchObject({
      name: 'NotAuthorizedException',
    });

    const associated = await pool.client.send(
      new AssociateSoftwareTokenCommand({ Session: setup.Session }),
    );
    expect(associated).toMatchObject({
      SecretCode: expect.any(String),
      Session: expect.any(String),
    });
    const secret = associated.SecretCode ?? '';
    const code = nowCode(secret);
    const wrong = code === '000000' ? '000001' : '000000';
    expect(
      await failureOf(
        pool.client.send(
          new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: wrong }),
        ),
      ),
    ).toMatchObject({ name: 'EnableSoftwareTokenMFAException' });
    const verified = await pool.client.send(
      new VerifySoftwareTokenCommand({
        Session: associated.Session,
        UserCode: code,
        FriendlyDeviceName: 'Laptop',
      }),
    );
    expect(verified).toMatchObject({ Status: 'SUCCESS', Session: expect.any(String) });

    const answered = await respondSetup(verified.Session);
    const accessToken = answered.AuthenticationResult?.AccessToken;
    expect(accessToken).toEqual(expect.any(String));
    expect(await pool.client.send(new GetUserCommand({ AccessToken: accessToken }))).toMatchObject({
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    });

    const next = await passwordSignIn(required, user.email);
    expect(next).toMatchObject({
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      ChallengeParameters: { FRIENDLY_DEVICE_NAME: 'Laptop' },
    });
    const signedIn = await answerTotp(required, next.Session, user.email, nextCode(secret));
    expect(signedIn.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });

  it('still challenges a user whose TOTP an administrator turned off, as Cognito does while MFA is required', async () => {
    const user = await createConfirmedUser(pool, required, uniqueEmail('required-reset'));
    const setup = await passwordSignIn(required, user.email);
    const associated = await pool.client.send(
      new AssociateSoftwareTokenCommand({ Session: setup.Session }),
    );
    const verified = await pool.client.send(
      new VerifySoftwareTokenCommand({
        Session: associated.Session,
        UserCode: nowCode(associated.SecretCode ?? ''),
      }),
    );
    await pool.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: required.clientId,
        ChallengeName: 'MFA_SETUP',
        Session: verified.Session,
        ChallengeResponses: { USERNAME: user.email },
      }),
    );
    await pool.client.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: required.userPoolId,
        Username: user.email,
        SoftwareTokenMfaSettings: { Enabled: false },
      }),
    );
    expect((await passwordSignIn(required, user.email)).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  });

  it('follows NEW_PASSWORD_REQUIRED with MFA_SETUP for an invited user', async () => {
    const email = uniqueEmail('invited-mfa');
    const temporary = 'Temp-Passw0rd!';
    await pool.client.send(
      new AdminCreateUserCommand({
        UserPoolId: required.userPoolId,
        Username: email,
        TemporaryPassword: temporary,
        MessageAction: 'SUPPRESS',
      }),
    );
    const first = await pool.client.send(
      new InitiateAuthCommand({
        ClientId: required.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: temporary },
      }),
    );
    expect(first.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const second = await pool.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: required.clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: first.Session,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: PASSWORD },
      }),
    );
    expect(second).toMatchObject({ ChallengeName: 'MFA_SETUP', Session: expect.any(String) });
    expect(second.Session).not.toBe(first.Session);
    expect(second.AuthenticationResult).toBeUndefined();
  });
});

describe('challenge sessions and wrong codes (LOCAL_POOL_AUTH_SESSION_SECONDS=2, lockout on)', () => {
  let shortPool: LocalPool;
  let shortUserPool: TestUserPool;

  beforeAll(async () => {
    shortPool = await startLocalPool({
      env: { LOCAL_POOL_AUTH_SESSION_SECONDS: '2', LOCAL_POOL_SIGNIN_LOCKOUT: 'true' },
    });
    shortUserPool = await createTestUserPool(shortPool, { mfaConfiguration: 'OPTIONAL' });
  });

  afterAll(async () => {
    await shortPool.stop();
  });

  it('refuses the right code once the session has expired', async () => {
    const user = await enrolledUser(shortUserPool, shortPool);
    const challenge = await passwordSignIn(shortUserPool, user.email, shortPool);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(
      await failureOf(
        answerTotp(shortUserPool, challenge.Session, user.email, nextCode(user.secret), shortPool),
      ),
    ).toEqual({
      name: 'NotAuthorizedException',
      message: 'Invalid session for the user, session is expired.',
      status: 400,
    });
  });

  it('locks the user after five wrong codes, like five wrong passwords', async () => {
    const user = await enrolledUser(shortUserPool, shortPool);
    const challenge = await passwordSignIn(shortUserPool, user.email, shortPool);
    const code = nextCode(user.secret);
    const wrong = code === '000000' ? '000001' : '000000';
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(
        (
          await failureOf(
            answerTotp(shortUserPool, challenge.Session, user.email, wrong, shortPool),
          )
        ).name,
      ).toBe('CodeMismatchException');
    }
    expect(
      await failureOf(answerTotp(shortUserPool, challenge.Session, user.email, code, shortPool)),
    ).toMatchObject({ name: 'NotAuthorizedException', message: 'Password attempts exceeded' });
  });
});
