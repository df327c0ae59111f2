import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
  VerifyUserAttributeCommand,
  type AdminGetUserCommandOutput,
  type AttributeType,
  type AuthenticationResultType,
  type CodeDeliveryDetailsType,
  type CognitoIdentityProviderClient,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { DEFAULT_PASSWORD_POLICY, HttpError, secretHash, ValidationError } from '@authstack/shared';
import type {
  CodeDelivery,
  ListedUser,
  MfaConfiguration,
  NewUser,
  PoolDescription,
  PoolUser,
  SignInResult,
  Tokens,
  UserPool,
} from '../domain/user-pool';
import { InvalidSessionError } from '../domain/errors';
import { toUserPoolError, type PoolOperation } from './cognito-errors';

export interface CognitoUserPoolOptions {
  client: CognitoIdentityProviderClient;
  userPoolId: string;
  clientId: string;
  clientSecret?: string;
  /** Deadline of one call, retries included. */
  timeoutMs: number;
}

/**
 * The `UserPool` port over the Cognito Identity Provider API (real Cognito or the
 * local pool). Sign-in uses USER_PASSWORD_AUTH, never SRP, so that the UserMigration
 * trigger receives the password. SDK exceptions leave this file only as `UserPoolError`s.
 */
export class CognitoUserPool implements UserPool {
  readonly #client: CognitoIdentityProviderClient;
  readonly #userPoolId: string;
  readonly #clientId: string;
  readonly #clientSecret: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: CognitoUserPoolOptions) {
    this.#client = options.client;
    this.#userPoolId = options.userPoolId;
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.#timeoutMs = options.timeoutMs;
  }

  get clientId(): string {
    return this.#clientId;
  }

  async describe(): Promise<PoolDescription> {
    const { UserPool } = await this.#call('describe', (o) =>
      this.#client.send(new DescribeUserPoolCommand({ UserPoolId: this.#userPoolId }), o),
    );
    const policy = UserPool?.Policies?.PasswordPolicy ?? {};
    return {
      passwordPolicy: {
        MinimumLength: policy.MinimumLength ?? DEFAULT_PASSWORD_POLICY.MinimumLength,
        RequireUppercase: policy.RequireUppercase ?? DEFAULT_PASSWORD_POLICY.RequireUppercase,
        RequireLowercase: policy.RequireLowercase ?? DEFAULT_PASSWORD_POLICY.RequireLowercase,
        RequireNumbers: policy.RequireNumbers ?? DEFAULT_PASSWORD_POLICY.RequireNumbers,
        RequireSymbols: policy.RequireSymbols ?? DEFAULT_PASSWORD_POLICY.RequireSymbols,
      },
      mfaConfiguration: toMfaConfiguration(UserPool?.MfaConfiguration),
    };
  }

  async createConfirmedUser(user: NewUser): Promise<{ sub: string }> {
    const { User } = await this.#call('createUser', (o) =>
      this.#client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.#userPoolId,
          Username: user.email,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: user.email },
            { Name: 'email_verified', Value: 'false' },
            { Name: 'name', Value: user.name },
          ],
        }),
        o,
      ),
    );
    try {
      await this.#call('createUser', (o) =>
        this.#client.send(
          new AdminSetUserPasswordCommand({
            UserPoolId: this.#userPoolId,
            Username: user.email,
            Password: user.password,
            Permanent: true,
          }),
          o,
        ),
      );
    } catch (error) {
      const input = { UserPoolId: this.#userPoolId, Username: user.email };
      await this.#call('createUser', (o) =>
        this.#client.send(new AdminDeleteUserCommand(input), o),
      ).catch(() => undefined);
      throw error;
    }
    return { sub: attribute(User?.Attributes, 'sub') ?? User?.Username ?? '' };
  }

  async signUp(
    user: NewUser,
  ): Promise<{ sub: string; confirmed: boolean; delivery: CodeDelivery | null }> {
    const result = await this.#call('signUp', (o) =>
      this.#client.send(
        new SignUpCommand({
          ...this.#appClientUser(user.email),
          Password: user.password,
          UserAttributes: [
            { Name: 'email', Value: user.email },
            { Name: 'name', Value: user.name },
          ],
        }),
        o,
      ),
    );
    return {
      sub: result.UserSub ?? '',
      confirmed: result.UserConfirmed ?? false,
      delivery: toCodeDelivery(result.CodeDeliveryDetails),
    };
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    await this.#call('confirmSignUp', (o) =>
      this.#client.send(
        new ConfirmSignUpCommand({ ...this.#appClientUser(email), ConfirmationCode: code }),
        o,
      ),
    );
  }

  async resendConfirmationCode(email: string): Promise<void> {
    await this.#call('resendCode', (o) =>
      this.#client.send(new ResendConfirmationCodeCommand(this.#appClientUser(email)), o),
    );
  }

  signIn(email: string, password: string): Promise<SignInResult> {
    return this.#passwordAuth('signIn', email, password);
  }

  checkPassword(email: string, password: string): Promise<SignInResult> {
    return this.#passwordAuth('checkPassword', email, password);
  }

  async completeNewPassword(
    email: string,
    session: string,
    newPassword: string,
  ): Promise<SignInResult> {
    assertSessionShaped(session);
    const username = await this.#usernameOf('completeNewPassword', email);
    const result = await this.#call('completeNewPassword', (o) =>
      this.#client.send(
        new RespondToAuthChallengeCommand({
          ClientId: this.#clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: session,
          ChallengeResponses: this.#withSecretHash(username, {
            USERNAME: username,
            NEW_PASSWORD: newPassword,
          }),
        }),
        o,
      ),
    );
    return toSignInResult(result);
  }

  async answerTotpChallenge(email: string, session: string, code: string): Promise<Tokens> {
    assertSessionShaped(session);
    const username = await this.#usernameOf('totpChallenge', email);
    const result = await this.#call('totpChallenge', (o) =>
      this.#client.send(
        new RespondToAuthChallengeCommand({
          ClientId: this.#clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: session,
          ChallengeResponses: this.#withSecretHash(username, {
            USERNAME: username,
            SOFTWARE_TOKEN_MFA_CODE: code,
          }),
        }),
        o,
      ),
    );
    return toTokens(result.AuthenticationResult);
  }

  async associateTotpForSession(session: string): Promise<{ secret: string; session: string }> {
    const result = await this.#call('totpSetupChallenge', (o) =>
      this.#client.send(new AssociateSoftwareTokenCommand({ Session: session }), o),
    );
    if (!result.SecretCode || !result.Session) {
      throw internal('AssociateSoftwareToken answered without SecretCode or Session');
    }
    return { secret: result.SecretCode, session: result.Session };
  }

  async completeTotpSetupChallenge(
    email: string,
    session: string,
    code: string,
    deviceName: string | undefined,
  ): Promise<Tokens> {
    assertSessionShaped(session);
    const username = await this.#usernameOf('totpSetupChallenge', email);
    const verified = await this.#call('totpSetupChallenge', (o) =>
      this.#client.send(
        new VerifySoftwareTokenCommand({
          Session: session,
          UserCode: code,
          FriendlyDeviceName: deviceName,
        }),
        o,
      ),
    );
    if (verified.Status !== 'SUCCESS' || !verified.Session) {
      throw internal('VerifySoftwareToken answered without SUCCESS and a Session');
    }
    const nextSession = verified.Session;
    const result = await this.#call('totpSetupChallenge', (o) =>
      this.#client.send(
        new RespondToAuthChallengeCommand({
          ClientId: this.#clientId,
          ChallengeName: 'MFA_SETUP',
          Session: nextSession,
          ChallengeResponses: this.#withSecretHash(username, { USERNAME: username }),
        }),
        o,
      ),
    );
    return toTokens(result.AuthenticationResult);
  }

  async associateTotp(accessToken: string): Promise<string> {
    const result = await this.#call('totpAssociate', (o) =>
      this.#client.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }), o),
    );
    if (!result.SecretCode) throw internal('AssociateSoftwareToken answered without SecretCode');
    return result.SecretCode;
  }

  async verifyTotp(
    accessToken: string,
    code: string,
    deviceName: string | undefined,
  ): Promise<void> {
    const result = await this.#call('totpVerify', (o) =>
      this.#client.send(
        new VerifySoftwareTokenCommand({
          AccessToken: accessToken,
          UserCode: code,
          FriendlyDeviceName: deviceName,
        }),
        o,
      ),
    );
    if (result.Status !== 'SUCCESS') throw internal('VerifySoftwareToken did not answer SUCCESS');
  }

  async setTotpPreference(accessToken: string, enabled: boolean): Promise<void> {
    await this.#call('mfaPreference', (o) =>
      this.#client.send(
        new SetUserMFAPreferenceCommand({
          AccessToken: accessToken,
          SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled },
        }),
        o,
      ),
    );
  }

  async adminTurnOffTotp(email: string): Promise<void> {
    await this.#call('adminUser', (o) =>
      this.#client.send(
        new AdminSetUserMFAPreferenceCommand({
          UserPoolId: this.#userPoolId,
          Username: email,
          SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
        }),
        o,
      ),
    );
  }

  async sendEmailVerificationCode(accessToken: string): Promise<CodeDelivery | null> {
    const result = await this.#call('emailVerification', (o) =>
      this.#client.send(
        new GetUserAttributeVerificationCodeCommand({
          AccessToken: accessToken,
          AttributeName: 'email',
        }),
        o,
      ),
    );
    return toCodeDelivery(result.CodeDeliveryDetails);
  }

  async verifyEmail(accessToken: string, code: string): Promise<void> {
    await this.#call('emailVerification', (o) =>
      this.#client.send(
        new VerifyUserAttributeCommand({
          AccessToken: accessToken,
          AttributeName: 'email',
          Code: code,
        }),
        o,
      ),
    );
  }

  async refresh(refreshToken: string, email: string | undefined): Promise<Tokens> {
    let parameters: Record<string, string> = { REFRESH_TOKEN: refreshToken };
    if (this.#clientSecret !== undefined) {
      if (email === undefined) {
        throw new ValidationError(
          'email: Required to refresh tokens with this app client',
          'email',
        );
      }
      const username = await this.#usernameOf('refresh', email);
      parameters = this.#withSecretHash(username, parameters);
    }
    const result = await this.#call('refresh', (o) =>
      this.#client.send(
        new InitiateAuthCommand({
          ClientId: this.#clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: parameters,
        }),
        o,
      ),
    );
    const { refreshToken: _none, ...tokens } = toTokens(result.AuthenticationResult);
    return tokens;
  }

  async getUser(accessToken: string): Promise<PoolUser> {
    const result = await this.#call('getUser', (o) =>
      this.#client.send(new GetUserCommand({ AccessToken: accessToken }), o),
    );
    return {
      ...toPoolUser(result.Username, result.UserAttributes),
      mfaEnabled: hasTotp(result.UserMFASettingList),
    };
  }

  async findUser(email: string): Promise<PoolUser> {
    const result = await this.#adminGetUser('adminUser', email);
    return {
      ...toPoolUser(result.Username, result.UserAttributes),
      mfaEnabled: hasTotp(result.UserMFASettingList),
    };
  }

  async groupsOf(username: string): Promise<string[]> {
    const groups: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#call('groupsOf', (o) =>
        this.#client.send(
          new AdminListGroupsForUserCommand({
            UserPoolId: this.#userPoolId,
            Username: username,
            Limit: 60,
            NextToken: nextToken,
          }),
          o,
        ),
      );
      for (const group of page.Groups ?? []) if (group.GroupName) groups.push(group.GroupName);
      nextToken = page.NextToken;
    } while (nextToken);
    return groups;
  }

  async globalSignOut(accessToken: string): Promise<void> {
    await this.#call('globalSignOut', (o) =>
      this.#client.send(new GlobalSignOutCommand({ AccessToken: accessToken }), o),
    );
  }

  async revokeRefreshToken(refreshToken: string): Promise<void> {
    await this.#call('revokeToken', (o) =>
      this.#client.send(
        new RevokeTokenCommand({
          Token: refreshToken,
          ClientId: this.#clientId,
          ClientSecret: this.#clientSecret,
        }),
        o,
      ),
    );
  }

  async forgotPassword(email: string): Promise<void> {
    await this.#call('forgotPassword', (o) =>
      this.#client.send(new ForgotPasswordCommand(this.#appClientUser(email)), o),
    );
  }

  async confirmForgotPassword(email: string, code: string, newPassword: string): Promise<void> {
    await this.#call('confirmForgotPassword', (o) =>
      this.#client.send(
        new ConfirmForgotPasswordCommand({
          ...this.#appClientUser(email),
          ConfirmationCode: code,
          Password: newPassword,
        }),
        o,
      ),
    );
  }

  async changePassword(
    accessToken: string,
    previousPassword: string,
    proposedPassword: string,
  ): Promise<void> {
    await this.#call('changePassword', (o) =>
      this.#client.send(
        new ChangePasswordCommand({
          AccessToken: accessToken,
          PreviousPassword: previousPassword,
          ProposedPassword: proposedPassword,
        }),
        o,
      ),
    );
  }

  async listUsers(page: {
    limit: number;
    nextToken?: string;
  }): Promise<{ users: ListedUser[]; nextToken: string | null }> {
    const result = await this.#call('listUsers', (o) =>
      this.#client.send(
        new ListUsersCommand({
          UserPoolId: this.#userPoolId,
          Limit: page.limit,
          PaginationToken: page.nextToken,
        }),
        o,
      ),
    );
    return {
      users: (result.Users ?? []).map((user) => ({
        ...toPoolUser(user.Username, user.Attributes),
        status: user.UserStatus ?? 'UNKNOWN',
        enabled: user.Enabled ?? true,
        createdAt: user.UserCreateDate?.toISOString() ?? null,
      })),
      nextToken: result.PaginationToken ?? null,
    };
  }

  async addToGroup(email: string, group: string): Promise<void> {
    await this.#call('adminGroup', (o) =>
      this.#client.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: this.#userPoolId,
          Username: email,
          GroupName: group,
        }),
        o,
      ),
    );
  }

  async removeFromGroup(email: string, group: string): Promise<void> {
    await this.#call('adminGroup', (o) =>
      this.#client.send(
        new AdminRemoveUserFromGroupCommand({
          UserPoolId: this.#userPoolId,
          Username: email,
          GroupName: group,
        }),
        o,
      ),
    );
  }

  async signOutEverywhere(email: string): Promise<void> {
    await this.#call('adminUser', (o) =>
      this.#client.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: this.#userPoolId, Username: email }),
        o,
      ),
    );
  }

  async setEnabled(email: string, enabled: boolean): Promise<void> {
    const input = { UserPoolId: this.#userPoolId, Username: email };
    await this.#call('adminUser', (o) =>
      enabled
        ? this.#client.send(new AdminEnableUserCommand(input), o)
        : this.#client.send(new AdminDisableUserCommand(input), o),
    );
  }

  async deleteUser(email: string): Promise<void> {
    await this.#call('adminUser', (o) =>
      this.#client.send(
        new AdminDeleteUserCommand({ UserPoolId: this.#userPoolId, Username: email }),
        o,
      ),
    );
  }

  async adminResetPassword(email: string): Promise<void> {
    await this.#call('adminUser', (o) =>
      this.#client.send(
        new AdminResetUserPasswordCommand({ UserPoolId: this.#userPoolId, Username: email }),
        o,
      ),
    );
  }

  /** USER_PASSWORD_AUTH, never SRP, so that the UserMigration trigger receives the password. */
  async #passwordAuth(
    operation: 'signIn' | 'checkPassword',
    email: string,
    password: string,
  ): Promise<SignInResult> {
    const result = await this.#call(operation, (o) =>
      this.#client.send(
        new InitiateAuthCommand({
          ClientId: this.#clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: this.#withSecretHash(email, { USERNAME: email, PASSWORD: password }),
        }),
        o,
      ),
    );
    return toSignInResult(result);
  }

  /** The pool's own username (a uuid with email sign-in), which challenges and refresh hash. */
  async #usernameOf(operation: PoolOperation, email: string): Promise<string> {
    const result = await this.#adminGetUser(operation, email);
    if (!result.Username) throw internal('AdminGetUser returned no Username');
    return result.Username;
  }

  #adminGetUser(operation: PoolOperation, email: string): Promise<AdminGetUserCommandOutput> {
    return this.#call(operation, (o) =>
      this.#client.send(
        new AdminGetUserCommand({ UserPoolId: this.#userPoolId, Username: email }),
        o,
      ),
    );
  }

  /** Runs one SDK call under the deadline; whatever it throws is mapped through the table. */
  async #call<T>(
    operation: PoolOperation,
    send: (options: { abortSignal: AbortSignal }) => Promise<T>,
  ): Promise<T> {
    try {
      return await send({ abortSignal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (error) {
      throw toUserPoolError(operation, error);
    }
  }

  /** How a call of the app client names a user: its id, the username and that username's SECRET_HASH. */
  #appClientUser(username: string): {
    ClientId: string;
    SecretHash: string | undefined;
    Username: string;
  } {
    return { ClientId: this.#clientId, SecretHash: this.#secretHash(username), Username: username };
  }

  #secretHash(username: string): string | undefined {
    return this.#clientSecret === undefined
      ? undefined
      : secretHash(this.#clientSecret, username, this.#clientId);
  }

  #withSecretHash(username: string, parameters: Record<string, string>): Record<string, string> {
    const hash = this.#secretHash(username);
    return hash === undefined ? parameters : { ...parameters, SECRET_HASH: hash };
  }
}

/** Cognito's SessionType: 20 to 2048 characters. */
const SESSION_LENGTH = { min: 20, max: 2048 };

/**
 * A challenge's session from the client must have the shape of one: anything else was never
 * a session of the pool, and Cognito would refuse it as a malformed request
 * (InvalidParameterException), not as the invalid session it is.
 */
function assertSessionShaped(session: string): void {
  if (session.length < SESSION_LENGTH.min || session.length > SESSION_LENGTH.max) {
    throw new InvalidSessionError();
  }
}

function attribute(attributes: AttributeType[] | undefined, name: string): string | undefined {
  return attributes?.find((item) => item.Name === name)?.Value;
}

function toPoolUser(
  username: string | undefined,
  attributes: AttributeType[] | undefined,
): PoolUser {
  return {
    username: username ?? '',
    sub: attribute(attributes, 'sub') ?? username ?? '',
    email: attribute(attributes, 'email') ?? '',
    name: attribute(attributes, 'name') ?? null,
    emailVerified: attribute(attributes, 'email_verified') === 'true',
  };
}

const MFA_CONFIGURATIONS: readonly string[] = [
  'OFF',
  'OPTIONAL',
  'ON',
] satisfies MfaConfiguration[];

function toMfaConfiguration(value: string | undefined): MfaConfiguration {
  return value !== undefined && MFA_CONFIGURATIONS.includes(value)
    ? (value as MfaConfiguration)
    : 'OFF';
}

const hasTotp = (settings: string[] | undefined): boolean =>
  settings?.includes('SOFTWARE_TOKEN_MFA') ?? false;

function toCodeDelivery(details: CodeDeliveryDetailsType | undefined): CodeDelivery | null {
  return details?.Destination
    ? { medium: details.DeliveryMedium ?? 'EMAIL', destination: details.Destination }
    : null;
}

/**
 * What a password or new-password step answered: tokens, or the challenge that comes next.
 * MFA_SETUP is supported for TOTP only; any other challenge (SMS, email, SELECT_MFA_TYPE…)
 * is 403 `challenge_not_supported`.
 */
function toSignInResult(
  result: Pick<
    InitiateAuthCommandOutput,
    'ChallengeName' | 'ChallengeParameters' | 'Session' | 'AuthenticationResult'
  >,
): SignInResult {
  const { ChallengeName: challenge, Session: session } = result;
  if (challenge === undefined) {
    return { kind: 'signed_in', tokens: toTokens(result.AuthenticationResult) };
  }
  if (session !== undefined) {
    if (challenge === 'NEW_PASSWORD_REQUIRED') return { kind: 'new_password_required', session };
    if (challenge === 'SOFTWARE_TOKEN_MFA') return { kind: 'totp_required', session };
    const canSetUp = result.ChallengeParameters?.MFAS_CAN_SETUP ?? '';
    if (challenge === 'MFA_SETUP' && canSetUp.includes('SOFTWARE_TOKEN_MFA')) {
      return { kind: 'totp_enrolment_required', session };
    }
  }
  throw new HttpError(
    403,
    'challenge_not_supported',
    'This account needs a sign-in step that this API does not support.',
  );
}

function internal(detail: string): HttpError {
  return new HttpError(500, 'internal_error', 'Something went wrong on our side.', {
    cause: new Error(detail),
  });
}

function toTokens(result: AuthenticationResultType | undefined): Tokens {
  if (!result?.AccessToken || !result.IdToken) {
    throw internal('the user pool answered without tokens (unsupported challenge?)');
  }
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken,
    expiresIn: result.ExpiresIn ?? 3600,
    tokenType: result.TokenType ?? 'Bearer',
  };
}
