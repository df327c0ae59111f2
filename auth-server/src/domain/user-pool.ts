import type { PasswordPolicy } from '@authstack/shared';

/** Tokens of a sign-in or refresh; a refresh carries no new refresh token. */
export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  expiresIn: number;
  tokenType: string;
}

/** What a password (or new-password) step of sign-in answers: tokens, or the step that comes next. */
export type SignInResult =
  | { kind: 'signed_in'; tokens: Tokens }
  /** The user was created with a temporary password and must choose a new one. */
  | { kind: 'new_password_required'; session: string }
  /** TOTP MFA is on for the user: a code from the authenticator app completes the sign-in. */
  | { kind: 'totp_required'; session: string }
  /** The pool requires MFA (MFA_SETUP) and the user has no authenticator yet: enrol one first. */
  | { kind: 'totp_enrolment_required'; session: string };

/** The pool's MfaConfiguration. */
export type MfaConfiguration = 'OFF' | 'OPTIONAL' | 'ON';

/** A user as the pool knows them. `username` is the pool's own name (a uuid with email sign-in). */
export interface PoolUser {
  username: string;
  sub: string;
  email: string;
  name: string | null;
  emailVerified: boolean;
  /**
   * Whether TOTP MFA is on for the user (GetUser, AdminGetUser: `UserMFASettingList`);
   * absent where the pool's answer does not say (ListUsers).
   */
  mfaEnabled?: boolean;
}

export interface ListedUser extends PoolUser {
  status: string;
  enabled: boolean;
  createdAt: string | null;
}

/** Where a confirmation code was sent, masked by the pool (`a***@e***`). */
export interface CodeDelivery {
  medium: string;
  destination: string;
}

export interface NewUser {
  email: string;
  name: string;
  password: string;
}

export interface PoolDescription {
  passwordPolicy: PasswordPolicy;
  mfaConfiguration: MfaConfiguration;
}

/**
 * What the auth-server needs from a user pool. The Cognito adapter implements it;
 * failures arrive as `HttpError`s already mapped from the pool's exceptions.
 */
export interface UserPool {
  /** The app client this server calls the pool as; its tokens carry it as `client_id`. */
  readonly clientId: string;
  describe(): Promise<PoolDescription>;
  /**
   * Creates a confirmed user with the password, no message sent, and the email NOT marked
   * verified: nothing has proved it.
   */
  createConfirmedUser(user: NewUser): Promise<{ sub: string }>;
  /** Self-service sign-up: the user stays unconfirmed until the code arrives. */
  signUp(
    user: NewUser,
  ): Promise<{ sub: string; confirmed: boolean; delivery: CodeDelivery | null }>;
  confirmSignUp(email: string, code: string): Promise<void>;
  resendConfirmationCode(email: string): Promise<void>;
  signIn(email: string, password: string): Promise<SignInResult>;
  /**
   * A password sign-in made only to check the password (a wrong one is 400
   * `incorrect_password`, not 401). The caller must not hand out tokens it may return.
   */
  checkPassword(email: string, password: string): Promise<SignInResult>;
  completeNewPassword(email: string, session: string, newPassword: string): Promise<SignInResult>;
  /** Answers SOFTWARE_TOKEN_MFA with an authenticator code. */
  answerTotpChallenge(email: string, session: string, code: string): Promise<Tokens>;
  /** AssociateSoftwareToken with an MFA_SETUP session: the new secret and the session for the next step. */
  associateTotpForSession(session: string): Promise<{ secret: string; session: string }>;
  /** VerifySoftwareToken with that session, then RespondToAuthChallenge MFA_SETUP: the tokens. */
  completeTotpSetupChallenge(
    email: string,
    session: string,
    code: string,
    deviceName: string | undefined,
  ): Promise<Tokens>;
  /** AssociateSoftwareToken for the signed-in user: a new secret, pending until verified. */
  associateTotp(accessToken: string): Promise<string>;
  /** VerifySoftwareToken for the signed-in user: the pending secret becomes their authenticator. */
  verifyTotp(accessToken: string, code: string, deviceName: string | undefined): Promise<void>;
  /** SetUserMFAPreference: TOTP on and preferred, or off. */
  setTotpPreference(accessToken: string, enabled: boolean): Promise<void>;
  /** AdminSetUserMFAPreference: TOTP off for the user (a no-op while the pool's MFA is ON). */
  adminTurnOffTotp(email: string): Promise<void>;
  /** GetUserAttributeVerificationCode for `email`: a code is sent to the address. */
  sendEmailVerificationCode(accessToken: string): Promise<CodeDelivery | null>;
  /** VerifyUserAttribute for `email`: the code proves the address; `email_verified` turns true. */
  verifyEmail(accessToken: string, code: string): Promise<void>;
  /**
   * New id and access tokens. An app client with a secret needs to know whose token it
   * is, so there `email` is required (400 without it).
   */
  refresh(refreshToken: string, email: string | undefined): Promise<Tokens>;
  /** The user an access token belongs to; refuses invalid, expired and revoked tokens. */
  getUser(accessToken: string): Promise<PoolUser>;
  /** The user with this email (AdminGetUser); 404 `user_not_found` when there is none. */
  findUser(email: string): Promise<PoolUser>;
  groupsOf(username: string): Promise<string[]>;
  globalSignOut(accessToken: string): Promise<void>;
  /** RevokeToken: the refresh token and every token issued from it stop working at the pool. */
  revokeRefreshToken(refreshToken: string): Promise<void>;
  forgotPassword(email: string): Promise<void>;
  confirmForgotPassword(email: string, code: string, newPassword: string): Promise<void>;
  changePassword(
    accessToken: string,
    previousPassword: string,
    proposedPassword: string,
  ): Promise<void>;
  listUsers(page: { limit: number; nextToken?: string }): Promise<{
    users: ListedUser[];
    nextToken: string | null;
  }>;
  addToGroup(email: string, group: string): Promise<void>;
  removeFromGroup(email: string, group: string): Promise<void>;
  signOutEverywhere(email: string): Promise<void>;
  setEnabled(email: string, enabled: boolean): Promise<void>;
  deleteUser(email: string): Promise<void>;
  /** AdminResetUserPassword: the password stops working and a reset code is sent. */
  adminResetPassword(email: string): Promise<void>;
}
