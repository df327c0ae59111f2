import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  ForgotPasswordCommand,
  GetGroupCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUsersCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  GetUserAttributeVerificationCodeCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createTestUserPool,
  readOutbox,
  sharedLocalPool,
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

const adminGetUser = (Username: string) =>
  pool.client.send(new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username }));
const attribute = (attributes: { Name?: string; Value?: string }[] | undefined, name: string) =>
  attributes?.find((candidate) => candidate.Name === name)?.Value;

describe('AdminCreateUser', () => {
  it('creates a FORCE_CHANGE_PASSWORD user and puts the invitation in the outbox', async () => {
    const email = uniqueEmail('invite');
    const { User } = await pool.client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPool.userPoolId,
        Username: email,
        UserAttributes: [{ Name: 'name', Value: 'Invitee' }],
      }),
    );
    expect(User).toMatchObject({ UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true });
    expect(attribute(User?.Attributes, 'sub')).toBe(User?.Username);
    const [invitation] = await readOutbox(pool.endpoint, email);
    expect(invitation).toMatchObject({ to: email, kind: 'invitation' });
    const challenge = await pool.client.send(
      new InitiateAuthCommand({
        ClientId: userPool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: invitation?.code ?? '' },
      }),
    );
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
  });

  it('sends nothing with MessageAction SUPPRESS and refuses a second user with the same email', async () => {
    const email = uniqueEmail('suppress');
    const create = () =>
      pool.client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPool.userPoolId,
          Username: email,
          TemporaryPassword: 'Temp-Passw0rd!',
          MessageAction: 'SUPPRESS',
        }),
      );
    await create();
    expect(await readOutbox(pool.endpoint, email)).toEqual([]);
    expect(await failureOf(create())).toMatchObject({ name: 'UsernameExistsException' });
  });

  it('enforces the password policy on a given temporary password', async () => {
    const error = await failureOf(
      pool.client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPool.userPoolId,
          Username: uniqueEmail(),
          TemporaryPassword: 'weak',
        }),
      ),
    );
    expect(error.name).toBe('InvalidPasswordException');
  });
});

describe('AdminGetUser / AdminSetUserPassword / AdminConfirmSignUp / AdminDeleteUser', () => {
  it('AdminGetUser finds a user by email alias and by username, and 404s an unknown one', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const byEmail = await adminGetUser(user.email);
    const byUsername = await adminGetUser(user.username);
    expect(byEmail).toMatchObject({
      Username: user.username,
      UserStatus: 'CONFIRMED',
      Enabled: true,
    });
    expect(byUsername.Username).toBe(user.username);
    expect(byEmail.UserCreateDate).toBeInstanceOf(Date);
    expect(await failureOf(adminGetUser(uniqueEmail('ghost')))).toMatchObject({
      name: 'UserNotFoundException',
      message: 'User does not exist.',
    });
  });

  it('AdminSetUserPassword without Permanent makes the user FORCE_CHANGE_PASSWORD', async () => {
    const user = await createConfirmedUser(pool, userPool);
    await pool.client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPool.userPoolId,
        Username: user.email,
        Password: 'An0ther-Pass!',
      }),
    );
    expect((await adminGetUser(user.email)).UserStatus).toBe('FORCE_CHANGE_PASSWORD');
    expect(
      await failureOf(
        pool.client.send(
          new AdminSetUserPasswordCommand({
            UserPoolId: userPool.userPoolId,
            Username: user.email,
            Password: 'x',
            Permanent: true,
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidPasswordException' });
  });

  it('AdminConfirmSignUp confirms without verifying the email', async () => {
    const email = uniqueEmail('adminconfirm');
    await pool.client.send(
      new SignUpCommand({ ClientId: userPool.clientId, Username: email, Password: PASSWORD }),
    );
    await pool.client.send(
      new AdminConfirmSignUpCommand({ UserPoolId: userPool.userPoolId, Username: email }),
    );
    const user = await adminGetUser(email);
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(attribute(user.UserAttributes, 'email_verified')).toBe('false');
    await expect(signIn(pool, userPool, email)).resolves.toHaveProperty('AccessToken');
  });

  it('AdminDeleteUser removes the user', async () => {
    const user = await createConfirmedUser(pool, userPool);
    await pool.client.send(
      new AdminDeleteUserCommand({ UserPoolId: userPool.userPoolId, Username: user.email }),
    );
    expect((await failureOf(adminGetUser(user.email))).name).toBe('UserNotFoundException');
  });
});

describe('attributes', () => {
  it('AdminUpdateUserAttributes changes attributes; a changed email is unverified and must stay unique', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const other = await createConfirmedUser(pool, userPool);
    const newEmail = uniqueEmail('renamed');
    await pool.client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: userPool.userPoolId,
        Username: user.email,
        UserAttributes: [
          { Name: 'email', Value: newEmail },
          { Name: 'name', Value: 'Renamed' },
        ],
      }),
    );
    const updated = await adminGetUser(newEmail);
    expect(updated.Username).toBe(user.username);
    expect(attribute(updated.UserAttributes, 'email_verified')).toBe('false');
    expect(attribute(updated.UserAttributes, 'name')).toBe('Renamed');
    expect(
      await failureOf(
        pool.client.send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId: userPool.userPoolId,
            Username: newEmail,
            UserAttributes: [{ Name: 'email', Value: other.email }],
          }),
        ),
      ),
    ).toMatchObject({ name: 'AliasExistsException' });
  });

  it('UpdateUserAttributes with an access token; a new email gets a code that VerifyUserAttribute accepts', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    const newEmail = uniqueEmail('selfservice');
    const result = await pool.client.send(
      new UpdateUserAttributesCommand({
        AccessToken: tokens.AccessToken,
        UserAttributes: [
          { Name: 'email', Value: newEmail },
          { Name: 'name', Value: 'Self' },
        ],
      }),
    );
    expect(result.CodeDeliveryDetailsList).toEqual([
      expect.objectContaining({ DeliveryMedium: 'EMAIL', AttributeName: 'email' }),
    ]);
    const [message] = await readOutbox(pool.endpoint, newEmail);
    expect(message?.kind).toBe('verify-email');
    await pool.client.send(
      new VerifyUserAttributeCommand({
        AccessToken: tokens.AccessToken,
        AttributeName: 'email',
        Code: message?.code,
      }),
    );
    const me = await pool.client.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
    expect(attribute(me.UserAttributes, 'email')).toBe(newEmail);
    expect(attribute(me.UserAttributes, 'email_verified')).toBe('true');
    expect(attribute(me.UserAttributes, 'name')).toBe('Self');
  });

  it('GetUserAttributeVerificationCode sends a code for the email that VerifyUserAttribute accepts', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    const sent = await pool.client.send(
      new GetUserAttributeVerificationCodeCommand({
        AccessToken: tokens.AccessToken,
        AttributeName: 'email',
      }),
    );
    expect(sent.CodeDeliveryDetails).toMatchObject({
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    const [message] = await readOutbox(pool.endpoint, user.email);
    expect(message?.kind).toBe('verify-email');
    await pool.client.send(
      new VerifyUserAttributeCommand({
        AccessToken: tokens.AccessToken,
        AttributeName: 'email',
        Code: message?.code,
      }),
    );
    const me = await pool.client.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
    expect(attribute(me.UserAttributes, 'email_verified')).toBe('true');
    expect(
      await failureOf(
        pool.client.send(
          new GetUserAttributeVerificationCodeCommand({
            AccessToken: tokens.AccessToken,
            AttributeName: 'phone_number',
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterException' });
  });

  it('UpdateUserAttributes refuses email_verified from the user', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    expect(
      await failureOf(
        pool.client.send(
          new UpdateUserAttributesCommand({
            AccessToken: tokens.AccessToken,
            UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('passwords', () => {
  it('ChangePassword needs the previous password and the policy; the new password then works', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    const change = (PreviousPassword: string, ProposedPassword: string) =>
      pool.client.send(
        new ChangePasswordCommand({
          AccessToken: tokens.AccessToken,
          PreviousPassword,
          ProposedPassword,
        }),
      );
    expect(await failureOf(change('Wr0ng-Password!', 'N3w-Password!!'))).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect((await failureOf(change(PASSWORD, 'weak'))).name).toBe('InvalidPasswordException');
    await change(PASSWORD, 'N3w-Password!!');
    await expect(signIn(pool, userPool, user.email, 'N3w-Password!!')).resolves.toHaveProperty(
      'AccessToken',
    );
    expect((await failureOf(signIn(pool, userPool, user.email, PASSWORD))).name).toBe(
      'NotAuthorizedException',
    );
  });

  it('ForgotPassword sends a code; ConfirmForgotPassword sets the password once per code', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const sent = await pool.client.send(
      new ForgotPasswordCommand({ ClientId: userPool.clientId, Username: user.email }),
    );
    expect(sent.CodeDeliveryDetails).toMatchObject({
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    const [message] = await readOutbox(pool.endpoint, user.email);
    expect(message?.kind).toBe('forgot-password');
    const confirm = (Password: string, ConfirmationCode = message?.code) =>
      pool.client.send(
        new ConfirmForgotPasswordCommand({
          ClientId: userPool.clientId,
          Username: user.email,
          ConfirmationCode,
          Password,
        }),
      );
    expect((await failureOf(confirm('weak'))).name).toBe('InvalidPasswordException');
    expect(
      (
        await failureOf(
          confirm('Res3t-Password!', message?.code === '123456' ? '654321' : '123456'),
        )
      ).name,
    ).toBe('CodeMismatchException');
    await confirm('Res3t-Password!');
    expect((await failureOf(confirm('Res3t-Again!!1'))).name).toBe('ExpiredCodeException');
    await expect(signIn(pool, userPool, user.email, 'Res3t-Password!')).resolves.toHaveProperty(
      'IdToken',
    );
  });

  it('ForgotPassword for an unknown user answers like a real delivery (ENABLED) and queues nothing', async () => {
    const email = uniqueEmail('nobody');
    const result = await pool.client.send(
      new ForgotPasswordCommand({ ClientId: userPool.clientId, Username: email }),
    );
    expect(result.CodeDeliveryDetails).toEqual({
      Destination: `${email[0]}***@e***`,
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    expect(await readOutbox(pool.endpoint, email)).toEqual([]);
  });

  it('ForgotPassword for an unknown user is UserNotFoundException on a LEGACY client', async () => {
    const { UserPoolClient } = await pool.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPool.userPoolId,
        ClientName: 'legacy-forgot',
      }),
    );
    expect(
      await failureOf(
        pool.client.send(
          new ForgotPasswordCommand({
            ClientId: UserPoolClient?.ClientId,
            Username: uniqueEmail(),
          }),
        ),
      ),
    ).toMatchObject({ name: 'UserNotFoundException' });
  });

  it('ForgotPassword refuses a user without a verified email', async () => {
    const email = uniqueEmail('unverified');
    await pool.client.send(
      new SignUpCommand({ ClientId: userPool.clientId, Username: email, Password: PASSWORD }),
    );
    await pool.client.send(
      new AdminConfirmSignUpCommand({ UserPoolId: userPool.userPoolId, Username: email }),
    );
    expect(
      await failureOf(
        pool.client.send(
          new ForgotPasswordCommand({ ClientId: userPool.clientId, Username: email }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('ListUsers', () => {
  let listPool: TestUserPool;
  const emails: string[] = [];
  beforeAll(async () => {
    listPool = await createTestUserPool(pool);
    for (let i = 0; i < 5; i += 1) {
      const user = await createConfirmedUser(
        pool,
        listPool,
        `lister${i}.${Date.now()}@example.com`,
      );
      emails.push(user.email);
    }
  });
  const list = (input: { Filter?: string; Limit?: number; PaginationToken?: string }) =>
    pool.client.send(new ListUsersCommand({ UserPoolId: listPool.userPoolId, ...input }));

  it('paginates with Limit and PaginationToken, each user once', async () => {
    const seen: string[] = [];
    let PaginationToken: string | undefined;
    let pages = 0;
    do {
      const page = await list({ Limit: 2, PaginationToken });
      pages += 1;
      expect(page.Users?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.Users ?? []).map((user) => attribute(user.Attributes, 'email') ?? ''));
      PaginationToken = page.PaginationToken;
    } while (PaginationToken);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual([...emails].sort());
  });

  it('filters by exact email (case-insensitively) and by prefix', async () => {
    const exact = await list({ Filter: `email = "${emails[2]?.toUpperCase() ?? ''}"` });
    expect(exact.Users?.map((user) => attribute(user.Attributes, 'email'))).toEqual([emails[2]]);
    const prefix = await list({ Filter: 'email ^= "lister1"' });
    expect(prefix.Users?.map((user) => attribute(user.Attributes, 'email'))).toEqual([emails[1]]);
  });

  it('filters by sub, username, status and cognito:user_status', async () => {
    const user = await adminGetUserIn(listPool, emails[3] ?? '');
    const sub = attribute(user.UserAttributes, 'sub') ?? '';
    expect((await list({ Filter: `sub = "${sub}"` })).Users).toHaveLength(1);
    expect((await list({ Filter: `username = "${user.Username ?? ''}"` })).Users).toHaveLength(1);
    expect((await list({ Filter: 'status = "Enabled"' })).Users).toHaveLength(5);
    expect((await list({ Filter: 'cognito:user_status = "CONFIRMED"' })).Users).toHaveLength(5);
    expect((await list({ Filter: 'cognito:user_status = "UNCONFIRMED"' })).Users).toHaveLength(0);
  });

  it('refuses a malformed filter and a Limit above 60', async () => {
    expect(await failureOf(list({ Filter: 'email == nope' }))).toMatchObject({
      name: 'InvalidParameterException',
    });
    expect(await failureOf(list({ Filter: 'custom:x = "y"' }))).toMatchObject({
      name: 'InvalidParameterException',
    });
    expect(await failureOf(list({ Limit: 61 }))).toMatchObject({
      name: 'InvalidParameterException',
    });
    expect(await failureOf(list({ PaginationToken: 'garbage!' }))).toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  async function adminGetUserIn(target: TestUserPool, Username: string) {
    return pool.client.send(new AdminGetUserCommand({ UserPoolId: target.userPoolId, Username }));
  }
});

describe('groups', () => {
  it('CreateGroup, ListGroups, AdminAddUserToGroup, AdminListGroupsForUser, AdminRemoveUserFromGroup and the token claim', async () => {
    const groupPool = await createTestUserPool(pool);
    await pool.client.send(
      new CreateGroupCommand({
        UserPoolId: groupPool.userPoolId,
        GroupName: 'editors',
        Description: 'Edit things',
        Precedence: 1,
      }),
    );
    expect(
      await failureOf(
        pool.client.send(
          new CreateGroupCommand({ UserPoolId: groupPool.userPoolId, GroupName: 'editors' }),
        ),
      ),
    ).toMatchObject({ name: 'GroupExistsException' });
    const { Group } = await pool.client.send(
      new GetGroupCommand({ UserPoolId: groupPool.userPoolId, GroupName: 'editors' }),
    );
    expect(Group).toMatchObject({
      GroupName: 'editors',
      Description: 'Edit things',
      Precedence: 1,
    });
    const groups = await pool.client.send(
      new ListGroupsCommand({ UserPoolId: groupPool.userPoolId }),
    );
    expect(groups.Groups?.map((group) => group.GroupName).sort()).toEqual(['admin', 'editors']);

    const user = await createConfirmedUser(pool, groupPool);
    for (const GroupName of ['admin', 'editors']) {
      await pool.client.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: groupPool.userPoolId,
          Username: user.email,
          GroupName,
        }),
      );
    }
    const mine = await pool.client.send(
      new AdminListGroupsForUserCommand({ UserPoolId: groupPool.userPoolId, Username: user.email }),
    );
    expect(mine.Groups?.map((group) => group.GroupName)).toEqual(['admin', 'editors']);
    const tokens = await signIn(pool, groupPool, user.email);
    expect(claimsOf(tokens.AccessToken)['cognito:groups']).toEqual(['editors', 'admin']);

    await pool.client.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: groupPool.userPoolId,
        Username: user.email,
        GroupName: 'editors',
      }),
    );
    const after = await signIn(pool, groupPool, user.email);
    expect(claimsOf(after.IdToken)['cognito:groups']).toEqual(['admin']);
    expect(
      await failureOf(
        pool.client.send(
          new AdminAddUserToGroupCommand({
            UserPoolId: groupPool.userPoolId,
            Username: user.email,
            GroupName: 'nope',
          }),
        ),
      ),
    ).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('a user in no group has no cognito:groups claim', async () => {
    const user = await createConfirmedUser(pool, userPool);
    const tokens = await signIn(pool, userPool, user.email);
    expect(claimsOf(tokens.IdToken)).not.toHaveProperty('cognito:groups');
    expect(claimsOf(tokens.AccessToken)).not.toHaveProperty('cognito:groups');
  });
});
