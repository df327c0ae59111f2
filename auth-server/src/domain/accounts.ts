import { HttpError, PASSWORD_RULE_MESSAGES, passwordPolicyViolations } from '@authstack/shared';
import { NotAdminError, WeakPasswordError } from './errors';
import type { PoolStatus } from './pool-status';
import type { CodeDelivery, NewUser, PoolUser, SignInResult, Tokens, UserPool } from './user-pool';

export type SignUpOutcome =
  | { sub: string; confirmed: true; tokens: Tokens }
  | { sub: string; confirmed: false; delivery: CodeDelivery | null };

export interface Profile {
  sub: string;
  email: string;
  name: string | null;
  emailVerified: boolean;
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
  /** `auto`: sign-up creates a confirmed user and signs in; `code`: the user confirms a code. */
  confirmation: 'auto' | 'code';
  adminGroup: string;
}

/** The user lifecycle, independent of HTTP. Emails arrive already normalised. */
export class Accounts {
  readonly #pool: UserPool;
  readonly #status: PoolStatus;
  readonly #confirmation: 'auto' | 'code';
  readonly #adminGroup: string;

  constructor(options: AccountsOptions) {
    this.#pool = options.pool;
    this.#status = options.status;
    this.#confirmation = options.confirmation;
    this.#adminGroup = options.adminGroup;
  }

  async signUp(user: NewUser): Promise<SignUpOutcome> {
    await this.#assertPasswordPolicy(user.password, 'password');
    if (this.#confirmation === 'code') {
      const { sub, delivery } = await this.#pool.signUp(user);
      return { sub, confirmed: false, delivery };
    }
    const { sub } = await this.#pool.createConfirmedUser(user);
    const signedIn = await this.#pool.signIn(user.email, user.password);
    if (signedIn.kind !== 'signed_in') {
      throw new HttpError(500, 'internal_error', 'The new user could not be signed in.');
    }
    return { sub, confirmed: true, tokens: signedIn.tokens };
  }

  confirmSignUp(email: string, code: string): Promise<void> {
    return this.#pool.confirmSignUp(email, code);
  }

  resendConfirmationCode(email: string): Promise<Acknowledged> {
    return acknowledge(this.#pool.resendConfirmationCode(email));
  }

  signIn(email: string, password: string): Promise<SignInResult> {
    return this.#pool.signIn(email, password);
  }

  async completeNewPassword(email: string, session: string, newPassword: string): Promise<Tokens> {
    await this.#assertPasswordPolicy(newPassword, 'newPassword');
    return this.#pool.completeNewPassword(email, session, newPassword);
  }

  refresh(refreshToken: string, email: string | undefined): Promise<Tokens> {
    return this.#pool.refresh(refreshToken, email);
  }

  /** The user behind an access token, checked by the pool (signature, expiry, revocation). */
  authenticate(accessToken: string): Promise<PoolUser> {
    return this.#pool.getUser(accessToken);
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
      groups,
    };
  }

  signOut(accessToken: string): Promise<void> {
    return this.#pool.globalSignOut(accessToken);
  }

  /** Answers alike for known and unknown users: every refusal of the pool is kept back. */
  forgotPassword(email: string): Promise<Acknowledged> {
    return acknowledge(this.#pool.forgotPassword(email));
  }

  async resetPassword(email: string, code: string, newPassword: string): Promise<void> {
    await this.#assertPasswordPolicy(newPassword, 'newPassword');
    return this.#pool.confirmForgotPassword(email, code, newPassword);
  }

  async changePassword(
    accessToken: string,
    previousPassword: string,
    proposedPassword: string,
  ): Promise<void> {
    await this.#assertPasswordPolicy(proposedPassword, 'proposedPassword');
    return this.#pool.changePassword(accessToken, previousPassword, proposedPassword);
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
