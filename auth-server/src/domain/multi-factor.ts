import { authenticatorEnrolment, type AuthenticatorEnrolment } from './authenticator-enrolment';
import { MfaDisabledError, MfaRequiredError } from './errors';
import type { PoolStatus } from './pool-status';
import type { PoolUser, UserPool } from './user-pool';

import type { MfaMode } from '@authstack/shared';

export { POOL_MFA_CONFIGURATION, type MfaMode } from '@authstack/shared';

export interface MfaSettings {
  mode: MfaMode;
  /** Shown by authenticator apps next to the account (the otpauth URI's issuer). */
  issuer: string;
}

const CANNOT_TURN_OFF =
  'This service requires multi-factor sign-in of everyone, so it cannot be turned off.';
const CANNOT_RESET =
  'The user pool requires MFA of everyone (MfaConfiguration=ON), and Cognito has no way to remove a user’s authenticator: nothing was changed, the user goes on signing in with the current one. A user who lost it can only be deleted and sign up again (a new sub).';

/**
 * TOTP multi-factor authentication for signed-in users (enrol an authenticator app, turn
 * MFA off) and for administrators (reset a user's MFA). The sign-in challenges themselves
 * are part of `Accounts`. Cognito keeps the secrets and checks the codes; this server never
 * stores either.
 */
export class MultiFactor {
  readonly #pool: UserPool;
  readonly #status: PoolStatus;
  readonly #settings: MfaSettings;

  constructor(options: { pool: UserPool; status: PoolStatus; settings: MfaSettings }) {
    this.#pool = options.pool;
    this.#status = options.status;
    this.#settings = options.settings;
  }

  /**
   * A new authenticator secret for the user (AssociateSoftwareToken), pending until
   * `confirmEnrolment`: an authenticator enrolled before keeps working until then.
   */
  async startEnrolment(user: PoolUser, accessToken: string): Promise<AuthenticatorEnrolment> {
    this.#assertOffered();
    const secret = await this.#pool.associateTotp(accessToken);
    return authenticatorEnrolment(secret, user.email, this.#settings.issuer);
  }

  /** A code of the new authenticator makes it the user's, and turns TOTP on and preferred. */
  async confirmEnrolment(
    accessToken: string,
    code: string,
    deviceName: string | undefined,
  ): Promise<void> {
    this.#assertOffered();
    await this.#pool.verifyTotp(accessToken, code, deviceName);
    await this.#pool.setTotpPreference(accessToken, true);
  }

  /**
   * Turns the user's TOTP off once the password is proved. Cognito checks an enrolled
   * authenticator's code only as the answer to a sign-in challenge, and that challenge
   * starts with the password: so the password is the proof (a stolen access token is not
   * enough). It is checked with a password sign-in that creates no lasting session: for a
   * user with MFA on the pool answers the SOFTWARE_TOKEN_MFA challenge, not tokens, and
   * that challenge's session is dropped (it expires unused); where the pool answers with
   * tokens (MFA was not on), their refresh token is revoked at once, and none of them
   * leaves this server. 409 `mfa_required` with MFA_MODE=required or while the pool
   * requires MFA.
   */
  async turnOff(user: PoolUser, accessToken: string, password: string): Promise<void> {
    if (this.#settings.mode === 'required') throw new MfaRequiredError(CANNOT_TURN_OFF);
    await this.#assertPoolAllowsTurningOff(CANNOT_TURN_OFF);
    const proof = await this.#pool.checkPassword(user.email, password);
    if (proof.kind === 'signed_in' && proof.tokens.refreshToken !== undefined) {
      await this.#pool.revokeRefreshToken(proof.tokens.refreshToken);
    }
    await this.#pool.setTotpPreference(accessToken, false);
  }

  /**
   * An administrator turns the user's TOTP off (AdminSetUserMFAPreference): their next
   * sign-in needs the password only, and they may enrol again. While the pool requires
   * MFA Cognito accepts that call and changes nothing, so it is refused with 409
   * `mfa_required` saying so.
   */
  async adminReset(email: string): Promise<void> {
    await this.#assertPoolAllowsTurningOff(CANNOT_RESET);
    await this.#pool.adminTurnOffTotp(email);
  }

  #assertOffered(): void {
    if (this.#settings.mode === 'off') throw new MfaDisabledError();
  }

  async #assertPoolAllowsTurningOff(message: string): Promise<void> {
    if ((await this.#status.currentMfaConfiguration()) === 'ON') {
      throw new MfaRequiredError(message);
    }
  }
}
