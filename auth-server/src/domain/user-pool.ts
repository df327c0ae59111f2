import type { PasswordPolicy } from '@authstack/shared';

/** Tokens of a sign-in or refresh; a refresh carries no new refresh token. */
export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken?: string;
  expiresIn: number;
  tokenType: string;
}

export type SignInResult =
  | { kind: 'signed_in'; tokens: Tokens }
  /** The user was created with a temporary password and must choose a new one. */
  | { kind: 'new_password_required'; session: string };

/** A user as the pool knows them. `username` is the pool's own name (a uuid with email sign-in). */
export interface PoolUser {
  username: string;
  sub: string;
  email: string;
  name: string | null;
  emailVerified: boolean;
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
}

/**
 * What the auth-server needs from a user pool. The Cognito adapter implements it;
 * failures arrive as `HttpError`s already mapped from the pool's exceptions.
 */
export interface UserPool {
  /** The app client this server calls the pool as; its tokens carry it as `client_id`. */
  readonly clientId: string;
  describe(): Promise<PoolDescription>;
  /** Creates a confirmed user with a verified email and no message sent. */
  createConfirmedUser(user: NewUser): Promise<{ sub: string }>;
  /** Self-service sign-up: the user stays unconfirmed until the code arrives. */
  signUp(
    user: NewUser,
  ): Promise<{ sub: string; confirmed: boolean; delivery: CodeDelivery | null }>;
  confirmSignUp(email: string, code: string): Promise<void>;
  resendConfirmationCode(email: string): Promise<void>;
  signIn(email: string, password: string): Promise<SignInResult>;
  completeNewPassword(email: string, session: string, newPassword: string): Promise<Tokens>;
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
