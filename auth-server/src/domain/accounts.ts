import { setTimeout as sleep } from 'node:timers/promises';
import {
  HttpError,
  PASSWORD_RULE_MESSAGES,
  passwordPolicyViolations,
  type Logger,
} from '@authstack/shared';
import { authenticatorEnrolment, type AuthenticatorEnrolment } from './authenticator-enrolment';
import {
  InvalidTokenError,
  NotAdminError,
  RevocationUnavailableError,
  WeakPasswordError,
} from './errors';
import type { PoolStatus } from './pool-status';
import type { Revocations } from './revocations';
import { unverifiedClaims, type TokenClaims } from './token-claims';
import type { CodeDelivery, NewUser, PoolUser, SignInResult, Tokens, UserPool } from './user-pool';

/**
 * Where a sign-in stands after a step: signed in, or the step that comes next. With
 * `totp_enrolment_required` the pool requires MFA and the user has none yet: the
 * enrolment (secret, otpauth URI, QR code) comes with it, its session is the one to send
 * back with the first code.
 */
export type SignInOutcome =
  | { kind: 'signed_in'; tokens: Tokens }
  | { kind: 'new_password_required'; session: string }
  | { kind: 'totp_required'; session: string }
  | { kind: 'totp_enrolment_required'; session: string; enrolment: AuthenticatorEnrolment };

/** How a sign-in with a password ended: the step it reached, or what it threw. */
export type SignInEnded = { outcome: SignInOutcome } | { error: unknown };

export type SignUpOutcome =
  | {
      sub: string;
      confirmed: true;
      signIn: Exclude<SignInOutcome, { kind: 'new_password_required' }>;
    }
  | { sub: string; confirmed: false; delivery: CodeDelivery | null };

export interface Profile {
  sub: string;
  email: string;
  name: string | null;
  emailVerified: boolean;
  mfaEnabled: boolean;
  groups: string[];
}

/** The answer to a request that must look the same whether or not the user exists. */
export interface Acknowledged {
  /** The code of the pool's refusal that was kept from the client, for the log. */
  suppressed: string | null;
}

export interface AccountsOptions {
  pool: UserPool;
  status: PoolStatus;
  revocations: Revocations;
  /** `auto`: sign-up creates a confirmed user and signs in; `code`: the user confirms a code. */
  confirmation: 'auto' | 'code';
  adminGroup: string;
  /** The issuer authenticator apps show (MFA_ISSUER), for enrolments at sign-in. */
  mfaIssuer: string;
  /** Told how each sign-in a user asked for ended (metrics). */
  onSignIn?: (ended: SignInEnded) => void;
}

/** The user lifecycle, independent of HTTP. Emails arrive already normalised. */
export class Accounts {
  readonly #pool: UserPool;
  readonly #status: PoolStatus;
  readonly #revocations: Revocations;
  readonly #confirmation: 'auto' | 'code';
  readonly #adminGroup: string;
  readonly #mfaIssuer: string;
  readonly #onSignIn: ((ended: SignInEnded) => void) | undefined;

  constructor(options: AccountsOptions) {
    this.#pool = options.pool;
    this.#status = options.status;
    this.#revocations = options.revocations;
    this.#confirmation = options.confirmation;
    this.#adminGroup = options.adminGroup;
    this.#mfaIssuer = options.mfaIssuer;
    this.#onSignIn = options.onSignIn;
  }

  /**
   * `code`: Cognito SignUp, the emailed code proves the address. `auto`: the user is
   * created confirmed with the email NOT verified (nothing proved it) and signed in at
   * once; where the pool requires MFA that sign-in answers with the enrolment instead of
   * tokens. `log`: the request's logger, for what the client is not told.
   */
  async signUp(user: NewUser, log: Logger): Promise<SignUpOutcome> {
    await this.#assertPasswordPolicy(user.password, 'password');
    if (this.#confirmation === 'code') {
      const { sub, delivery } = await this.#pool.signUp(user);
      return { sub, confirmed: false, delivery };
    }
    const { sub } = await this.#pool.createConfirmedUser(user);
    const signIn = await this.#outcomeOf(
      await this.#pool.signIn(user.email, user.password),
      user.email,
      log,
    );
    if (signIn.kind === 'new_password_required') {
      throw new HttpError(500, 'internal_error', 'The new user could not be signed in.');
    }
    return { sub, confirmed: true, signIn };
  }

  confirmSignUp(email: string, code: string): Promise<void> {
    return this.#pool.confirmSignUp(email, code);
  }

  resendConfirmationCode(email: string): Promise<Acknowledged> {
    return acknowledge(this.#pool.resendConfirmationCode(email));
  }

  /** A sign-in the user asked for: `onSignIn` is told how it ended. */
  async signIn(email: string, password: string, log: Logger): Promise<SignInOutcome> {
    let outcome: SignInOutcome;
    try {
      outcome = await this.#signIn(email, password, log);
    } catch (error) {
      this.#onSignIn?.({ error });
      throw error;
    }
    this.#onSignIn?.({ outcome });
    return outcome;
  }

  async #signIn(email: string, password: string, log: Logger): Promise<SignInOutcome> {
    return this.#outcomeOf(await this.#pool.signIn(email, password), email, log);
  }

  /** A new password can be followed by an MFA challenge, as a password sign-in can. */
  async completeNewPassword(
    email: string,
    session: string,
    newPassword: string,
    log: Logger,
  ): Promise<SignInOutcome> {
    await this.#assertPasswordPolicy(newPassword, 'newPassword');
    const result = await this.#pool.completeNewPassword(email, session, newPassword);
    return this.#outcomeOf(result, email, log);
  }

  /** Completes a `totp_required` sign-in with the authenticator's code. */
  async answerTotpChallenge(
    email: string,
    session: string,
    code: string,
    log: Logger,
  ): Promise<Tokens> {
    const tokens = await this.#pool.answerTotpChallenge(email, session, code);
    return this.#issuedAfterRevocations(tokens, email, log);
  }

  /**
   * Completes a `totp_enrolment_required` sign-in: the first code of the new authenticator
   * verifies it, and the sign-in ends with tokens. TOTP is then set on and preferred for
   * the user (Cognito's MFA_SETUP leaves that implicit).
   */
  async completeTotpEnrolment(
    email: string,
    session: string,
    code: string,
    deviceName: string | undefined,
    log: Logger,
  ): Promise<Tokens> {
    const tokens = await this.#pool.completeTotpSetupChallenge(email, session, code, deviceName);
    await this.#pool.setTotpPreference(tokens.accessToken, true);
    return this.#issuedAfterRevocations(tokens, email, log);
  }

  async refresh(refreshToken: string, email: string | undefined, log: Logger): Promise<Tokens> {
    const tokens = await this.#pool.refresh(refreshToken, email);
    const { refreshToken: _kept, ...refreshed } = await this.#issuedAfterRevocations(
      { ...tokens, refreshToken },
      email,
      log,
    );
    return refreshed;
  }

  /**
   * The user behind an access token. The pool checks signature, issuer, expiry and
   * revocation (GetUser); then the token must have been issued to this server's app
   * client. Only a token the pool accepted is decoded.
   */
  async authenticate(accessToken: string): Promise<PoolUser> {
    const user = await this.#pool.getUser(accessToken);
    if (unverifiedClaims(accessToken)?.clientId !== this.#pool.clientId) {
      throw new InvalidTokenError();
    }
    return user;
  }

  /** Throws 403 unless the user is, right now, in the admin group. */
  async assertAdmin(user: PoolUser): Promise<void> {
    const groups = await this.#pool.groupsOf(user.username);
    if (!groups.includes(this.#adminGroup)) throw new NotAdminError();
  }

  async profile(user: PoolUser): Promise<Profile> {
    const groups = await this.#pool.groupsOf(user.username);
    return {
      sub: user.sub,
      email: user.email,
      name: user.name,
      emailVerified: user.emailVerified,
      mfaEnabled: user.mfaEnabled ?? false,
      groups,
    };
  }

  /**
   * Sends a code to the signed-in user's email (GetUserAttributeVerificationCode); with it,
   * `verifyEmail` marks the address verified. This is how an address taken on trust at
   * sign-up (SIGNUP_CONFIRMATION=auto) gets proved, and Cognito sends a password-reset code
   * only to a verified address.
   */
  sendEmailVerificationCode(accessToken: string): Promise<CodeDelivery | null> {
    return this.#pool.sendEmailVerificationCode(accessToken);
  }

  verifyEmail(accessToken: string, code: string): Promise<void> {
    return this.#pool.verifyEmail(accessToken, code);
  }

  /** Sign-out everywhere: every token of the user issued up to now, then every refresh token. */
  async signOut(user: PoolUser, accessToken: string): Promise<void> {
    await this.#revocations.revokeUser(user.sub);
    await this.#pool.globalSignOut(accessToken);
  }

  /**
   * Signs one device out: the session of `refreshToken` (its sign-in and every refresh of
   * it). Refresh tokens are opaque, so one refresh proves the token valid (401
   * `invalid_refresh_token` otherwise, nothing recorded) and names its session
   * (`origin_jti`) and user. The session is recorded revoked, then RevokeToken ends the
   * refresh token at the pool. Returns the user's sub, for the log.
   */
  async signOutDevice(refreshToken: string, email: string | undefined): Promise<{ sub: string }> {
    const tokens = await this.#pool.refresh(refreshToken, email);
    const { sub, originJti } = claimsOfIssued(tokens.accessToken);
    if (originJti === undefined) throw poolAnsweredBadTokens('no origin_jti');
    await this.#revocations.revokeSession(originJti);
    await this.#pool.revokeRefreshToken(refreshToken);
    return { sub };
  }

  /** Answers alike for known and unknown users: every refusal of the pool is kept back. */
  forgotPassword(email: string): Promise<Acknowledged> {
    return acknowledge(this.#pool.forgotPassword(email));
  }

  /**
   * Sets the new password with the emailed code, then ends every session of the user
   * (`#endSessionsAfterNewPassword`): an owner taking an account back signs the intruder out.
   * Unlike every other revocation this one is recorded *after* the pool call: the caller is
   * not signed in, so recording first would let anyone who knows an email sign its owner out
   * everywhere by posting wrong codes. Only once the pool has accepted the code is the user
   * looked up (for the sub) and the revocation recorded.
   */
  async resetPassword(email: string, code: string, newPassword: string): Promise<void> {
    await this.#assertPasswordPolicy(newPassword, 'newPassword');
    await this.#pool.confirmForgotPassword(email, code, newPassword);
    await this.#endSessionsAfterNewPassword(email);
  }

  /**
   * Changes the password, ends every session of the user, and signs the caller's device in
   * again with the new password: every other device is signed out, this one goes on with the
   * outcome of that sign-in (tokens, or with MFA on the `totp_required` challenge). A refused
   * change (a wrong `previousPassword`, a weak password, a store that cannot record the
   * revocation) changes nothing: the store is asked first, the pool checks the password, and
   * only a change it made is followed by the revocation.
   */
  async changePassword(
    user: PoolUser,
    accessToken: string,
    previousPassword: string,
    proposedPassword: string,
    log: Logger,
  ): Promise<Exclude<SignInOutcome, { kind: 'new_password_required' }>> {
    await this.#assertPasswordPolicy(proposedPassword, 'proposedPassword');
    await this.#revocations.assertAvailable(user.sub);
    await this.#pool.changePassword(accessToken, previousPassword, proposedPassword);
    await this.#endSessionsAfterNewPassword(user.email, user.sub);
    let outcome: SignInOutcome;
    try {
      outcome = await this.#signIn(user.email, proposedPassword, log);
    } catch (error) {
      throw notSignedInAgain(error);
    }
    if (outcome.kind === 'new_password_required') {
      throw poolAnsweredBadTokens('a new password required right after the change');
    }
    return outcome;
  }

  /**
   * After a new password is set, every session of the user ends: a `user` revocation for
   * the resource-servers (every token issued up to now) and AdminUserGlobalSignOut at the
   * pool (every refresh token, and the access tokens issued from them): Cognito revokes
   * none on ChangePassword, ConfirmForgotPassword or AdminResetUserPassword. Both are tried
   * whatever the other's fate, since the password cannot be unset; if either fails the
   * answer is 503 `revocation_unavailable` saying the password is set but the sessions are
   * not all ended (sign in with the new password, then sign out everywhere).
   */
  async #endSessionsAfterNewPassword(email: string, knownSub?: string): Promise<void> {
    const failures: unknown[] = [];
    if (this.#revocations.recording) {
      try {
        const sub = knownSub ?? (await this.#pool.findUser(email)).sub;
        await this.#revocations.revokeUser(sub);
      } catch (error) {
        failures.push(error);
      }
    }
    try {
      await this.#pool.signOutEverywhere(email);
    } catch (error) {
      failures.push(error);
    }
    if (failures.length === 0) return;
    throw new RevocationUnavailableError(PASSWORD_SET_SESSIONS_NOT_ENDED, {
      cause: failures.length === 1 ? failures[0] : new AggregateError(failures),
    });
  }

  /**
   * A pool's answer to a sign-in step, made ready for the client: tokens issued after any
   * revocation in their second; for an MFA_SETUP challenge, a new authenticator secret
   * (AssociateSoftwareToken with the session, which answers the session to go on with).
   */
  async #outcomeOf(result: SignInResult, email: string, log: Logger): Promise<SignInOutcome> {
    if (result.kind === 'signed_in') {
      return {
        kind: 'signed_in',
        tokens: await this.#issuedAfterRevocations(result.tokens, email, log),
      };
    }
    if (result.kind !== 'totp_enrolment_required') return result;
    const { secret, session } = await this.#pool.associateTotpForSession(result.session);
    return {
      kind: 'totp_enrolment_required',
      session,
      enrolment: authenticatorEnrolment(secret, email, this.#mfaIssuer),
    };
  }

  /**
   * How `iat`'s one-second granularity is handled. A revocation of the user covers the
   * whole second it was recorded in (its `notBefore` is the next second), so tokens issued
   * in that second by a sign-in or refresh just after it would be refused by every
   * resource-server. When the new tokens predate the user's `notBefore`, wait until the
   * pool's clock has reached it — `notBefore - iat` seconds after the tokens arrived, which
   * holds whatever the offset between this server's clock and the pool's — and refresh
   * once: the refreshed tokens are issued after the revocation. Refresh tokens carry no
   * `iat` check and are kept. When the store cannot be asked the tokens are handed out
   * as they are, with a warning: sign-in keeps working while the store is down.
   */
  async #issuedAfterRevocations(
    tokens: Tokens,
    email: string | undefined,
    log: Logger,
  ): Promise<Tokens> {
    if (!this.#revocations.recording) return tokens;
    const received = performance.now();
    const { sub, issuedAt } = issuedClaimsOf(tokens);
    let notBefore: number | undefined;
    try {
      notBefore = await this.#revocations.userNotBefore(sub);
    } catch (error) {
      log.warn(
        { err: error, sub },
        'state store unavailable: tokens handed out without checking them against a revocation in their second',
      );
      return tokens;
    }
    if (notBefore === undefined || issuedAt >= notBefore) return tokens;
    const waitMs = (notBefore - issuedAt) * 1000 - (performance.now() - received);
    if (tokens.refreshToken === undefined || waitMs > MAX_REISSUE_WAIT_MS) {
      log.warn({ sub, issuedAt, notBefore }, 'tokens issued before the revocation of the user');
      return tokens;
    }
    await sleep(Math.max(0, waitMs));
    const refreshed = await this.#pool.refresh(tokens.refreshToken, email);
    log.info(
      { sub, notBefore, issuedAt: issuedClaimsOf(refreshed).issuedAt },
      'tokens issued in the second of a revocation; refreshed after it',
    );
    return { ...refreshed, refreshToken: tokens.refreshToken };
  }

  async #assertPasswordPolicy(password: string, field: string): Promise<void> {
    const policy = await this.#status.currentPasswordPolicy();
    const rules = passwordPolicyViolations(password, policy);
    if (rules.length > 0) {
      throw new WeakPasswordError(
        field,
        rules.map((rule) => PASSWORD_RULE_MESSAGES[rule]),
      );
    }
  }
}

/**
 * Longest wait for the second of a revocation to pass. The wait is about one second; more
 * than this means this server's clock runs well ahead of the pool's.
 */
const MAX_REISSUE_WAIT_MS = 3_000;

const PASSWORD_SET_SESSIONS_NOT_ENDED =
  'The new password is set, but the sessions signed in before could not be ended yet: sign in with the new password, then POST /user/signout once the service is available again.';

const PASSWORD_CHANGED_NOT_SIGNED_IN =
  'The password is changed and every session signed in before has ended, but this device could not be signed in again: sign in with the new password.';

/** The sign-in after a password change failed: its status and code, saying what did happen. */
function notSignedInAgain(error: unknown): HttpError {
  const { status, code, headers } =
    error instanceof HttpError ? error : { status: 500, code: 'internal_error', headers: {} };
  return new HttpError(status, code, PASSWORD_CHANGED_NOT_SIGNED_IN, {
    cause: error,
    headers: { ...headers },
  });
}

function poolAnsweredBadTokens(detail: string): HttpError {
  return new HttpError(500, 'internal_error', 'Something went wrong on our side.', {
    cause: new Error(`the user pool issued tokens the server cannot read (${detail})`),
  });
}

/** The claims of a token the pool has just issued. */
function claimsOfIssued(token: string): TokenClaims {
  const claims = unverifiedClaims(token);
  if (claims === undefined) throw poolAnsweredBadTokens('malformed payload');
  return claims;
}

/** The sub of new tokens and the earlier `iat` of the ID and access token. */
function issuedClaimsOf(tokens: Tokens): { sub: string; issuedAt: number } {
  const access = claimsOfIssued(tokens.accessToken);
  const id = claimsOfIssued(tokens.idToken);
  return { sub: access.sub, issuedAt: Math.min(access.issuedAt, id.issuedAt) };
}

/** Waits for `call`; a refusal by the pool (4xx) is swallowed, an unreachable pool is not. */
async function acknowledge(call: Promise<void>): Promise<Acknowledged> {
  try {
    await call;
    return { suppressed: null };
  } catch (error) {
    if (error instanceof HttpError && error.status < 500) return { suppressed: error.code };
    throw error;
  }
}
