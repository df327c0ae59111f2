import {
  codeMismatch,
  enableSoftwareTokenMfa,
  expiredCode,
  invalidParameter,
  notAuthorized,
  softwareTokenMfaNotFound,
} from '../protocol/errors';
import { closeSession, openSession, startSession, type AuthResponse } from './challenges';
import type { PoolContext } from './context';
import { lockKeyOf } from './sign-in-lockout';
import { issueTokens } from './tokens';
import { checkTotp, newTotpSecret } from './totp';
import type {
  ClientRecord,
  PoolRecord,
  SoftwareTokenRecord,
  UserPoolMfa,
  UserRecord,
} from './types';
import { findUser } from './users';

export const SOFTWARE_TOKEN_MFA = 'SOFTWARE_TOKEN_MFA';

export const mfaConfigurationOf = (pool: PoolRecord): UserPoolMfa =>
  pool.settings.MfaConfiguration ?? 'OFF';

/** Whether the pool lets users set up TOTP (SetUserPoolMfaConfig SoftwareTokenMfaConfiguration). */
export const softwareTokenMfaEnabled = (pool: PoolRecord): boolean =>
  pool.settings.SoftwareTokenMfaConfiguration?.Enabled ?? false;

function storedToken(context: PoolContext, user: UserRecord): SoftwareTokenRecord {
  return (
    context.store.softwareToken(user.id) ?? {
      userId: user.id,
      secret: null,
      friendlyDeviceName: null,
      pendingSecret: null,
      enabled: false,
      preferred: false,
      lastUsedStep: null,
      updatedAt: 0,
    }
  );
}

/**
 * The MFA fields of GetUser and AdminGetUser: `UserMFASettingList` and
 * `PreferredMfaSetting` once TOTP is turned on for the user, nothing otherwise.
 * `MFAOptions` describes SMS only in Cognito, so the local pool never reports it.
 */
export function mfaSettingsOf(
  context: PoolContext,
  user: UserRecord,
): { UserMFASettingList?: string[]; PreferredMfaSetting?: string } {
  const token = context.store.softwareToken(user.id);
  if (!token?.secret || !token.enabled) return {};
  return {
    UserMFASettingList: [SOFTWARE_TOKEN_MFA],
    ...(token.preferred ? { PreferredMfaSetting: SOFTWARE_TOKEN_MFA } : {}),
  };
}

/**
 * The second step a password sign-in needs. OPTIONAL: TOTP when the user turned it on.
 * ON: TOTP whenever the user has a verified authenticator (turning it off has no effect
 * while MFA is required), MFA_SETUP when they have none. OFF: none.
 */
function secondStep(
  pool: PoolRecord,
  token: SoftwareTokenRecord | undefined,
): 'SOFTWARE_TOKEN_MFA' | 'MFA_SETUP' | undefined {
  const mode = mfaConfigurationOf(pool);
  const verified = Boolean(token?.secret);
  if (mode === 'ON') return verified ? 'SOFTWARE_TOKEN_MFA' : 'MFA_SETUP';
  if (mode === 'OPTIONAL' && verified && token?.enabled) return 'SOFTWARE_TOKEN_MFA';
  return undefined;
}

/**
 * The end of a successful first factor (a password, or a new password for
 * NEW_PASSWORD_REQUIRED): tokens, or the MFA challenge the pool and the user call for,
 * with a new session. Call in a transaction.
 */
export function completeSignIn(
  context: PoolContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
): AuthResponse {
  const token = context.store.softwareToken(user.id);
  const step = secondStep(pool, token);
  if (step === 'SOFTWARE_TOKEN_MFA') {
    return {
      ChallengeName: step,
      Session: startSession(context, client, user, step),
      ChallengeParameters: {
        ...(token?.friendlyDeviceName ? { FRIENDLY_DEVICE_NAME: token.friendlyDeviceName } : {}),
        USER_ID_FOR_SRP: user.username,
      },
    };
  }
  if (step === 'MFA_SETUP') {
    return {
      ChallengeName: step,
      Session: startSession(context, client, user, step),
      ChallengeParameters: {
        MFAS_CAN_SETUP: JSON.stringify(softwareTokenMfaEnabled(pool) ? [SOFTWARE_TOKEN_MFA] : []),
        USER_ID_FOR_SRP: user.username,
      },
    };
  }
  return {
    ChallengeParameters: {},
    AuthenticationResult: issueTokens(context, pool, client, user),
  };
}

export interface ChallengeAnswer {
  session: string;
  /** USERNAME from ChallengeResponses: must name the session's user. */
  username: string;
}

function sessionUser(
  context: PoolContext,
  pool: PoolRecord,
  user: UserRecord,
  username: string,
): UserRecord {
  if (findUser(context, pool, username)?.id !== user.id) {
    throw notAuthorized('Invalid session for the user.');
  }
  if (!user.enabled) throw notAuthorized('User is disabled.');
  return user;
}

/**
 * Accepts `code` for the user's verified secret once: the step it matched becomes the
 * last used one. A code of that step or an earlier one is refused as already used.
 */
function useCode(
  context: PoolContext,
  token: SoftwareTokenRecord,
  code: string,
  mismatch: () => Error,
): void {
  if (!token.secret) {
    throw softwareTokenMfaNotFound('Software Token MFA does not exist for the user.');
  }
  const now = context.clock();
  const result = checkTotp(token.secret, code, now, token.lastUsedStep);
  if (result.ok) {
    context.store.putSoftwareToken({ ...token, lastUsedStep: result.step, updatedAt: now });
    return;
  }
  if (result.reason === 'reused') {
    throw expiredCode('Your software token has already been used once.');
  }
  throw mismatch();
}

/**
 * SOFTWARE_TOKEN_MFA: checks the authenticator code and issues tokens. A wrong code
 * leaves the session standing (until it expires) and counts as a failed sign-in for
 * Cognito's lockout; the right code uses the session up.
 */
export function answerSoftwareTokenMfa(
  context: PoolContext,
  pool: PoolRecord,
  client: ClientRecord,
  answer: ChallengeAnswer & { code: string },
): AuthResponse {
  return context.store.transaction(() => {
    const open = openSession(context, answer.session, ['SOFTWARE_TOKEN_MFA'], client);
    const user = sessionUser(context, pool, open.user, answer.username);
    const lockKey = lockKeyOf(user);
    context.lockout.assertNotLocked(lockKey);
    useCode(context, storedToken(context, user), answer.code, () => {
      context.lockout.recordFailure(lockKey);
      return codeMismatch('Invalid code received for user');
    });
    context.lockout.recordSuccess(lockKey);
    closeSession(context, open);
    return {
      ChallengeParameters: {},
      AuthenticationResult: issueTokens(context, pool, client, user),
    };
  });
}

/** MFA_SETUP, answered with the session VerifySoftwareToken returned: issues tokens. */
export function answerMfaSetup(
  context: PoolContext,
  pool: PoolRecord,
  client: ClientRecord,
  answer: ChallengeAnswer,
): AuthResponse {
  return context.store.transaction(() => {
    const open = openSession(context, answer.session, ['MFA_SETUP_VERIFIED'], client);
    const user = sessionUser(context, pool, open.user, answer.username);
    closeSession(context, open);
    return {
      ChallengeParameters: {},
      AuthenticationResult: issueTokens(context, pool, client, user),
    };
  });
}

function assertPoolAllowsTotp(pool: PoolRecord): void {
  if (!softwareTokenMfaEnabled(pool)) {
    throw softwareTokenMfaNotFound('Software Token MFA has not been enabled by the userPool.');
  }
}

/**
 * AssociateSoftwareToken: a new secret for `user`, pending until VerifySoftwareToken
 * accepts a code for it. A verified authenticator keeps working until then. Call in a
 * transaction.
 */
export function associateSoftwareToken(
  context: PoolContext,
  pool: PoolRecord,
  user: UserRecord,
): string {
  assertPoolAllowsTotp(pool);
  const secret = newTotpSecret();
  context.store.putSoftwareToken({
    ...storedToken(context, user),
    pendingSecret: secret,
    updatedAt: context.clock(),
  });
  return secret;
}

/**
 * VerifySoftwareToken: a right code for the pending secret makes it the user's verified
 * authenticator (replacing any earlier one) and counts as that step's use. It does not
 * turn MFA on, except in the MFA_SETUP flow of sign-in (`turnOn`), where setting up is
 * the point. Call in a transaction.
 */
export function verifySoftwareToken(
  context: PoolContext,
  pool: PoolRecord,
  user: UserRecord,
  request: { code: string; friendlyDeviceName: string | undefined; turnOn: boolean },
): void {
  assertPoolAllowsTotp(pool);
  const token = storedToken(context, user);
  if (!token.pendingSecret) {
    throw softwareTokenMfaNotFound('Software Token MFA does not exist for the user.');
  }
  const now = context.clock();
  const result = checkTotp(token.pendingSecret, request.code, now, null);
  if (!result.ok) {
    throw enableSoftwareTokenMfa('Code mismatch and fail enable Software Token MFA');
  }
  context.store.putSoftwareToken({
    ...token,
    secret: token.pendingSecret,
    pendingSecret: null,
    friendlyDeviceName: request.friendlyDeviceName || null,
    lastUsedStep: result.step,
    enabled: token.enabled || request.turnOn,
    preferred: token.preferred || request.turnOn,
    updatedAt: now,
  });
  context.logger.info(
    { poolId: user.poolId, username: user.username },
    'software token MFA authenticator verified',
  );
}

export interface MfaSettings {
  Enabled?: boolean | undefined;
  PreferredMfa?: boolean | undefined;
}

export interface MfaPreferences {
  SoftwareTokenMfaSettings?: MfaSettings | undefined;
  SMSMfaSettings?: MfaSettings | undefined;
  EmailMfaSettings?: MfaSettings | undefined;
  WebAuthnMfaSettings?: { Enabled?: boolean | undefined } | undefined;
}

const turnsOn = (settings: MfaSettings | undefined): boolean =>
  Boolean(settings?.Enabled || settings?.PreferredMfa);

/**
 * SetUserMFAPreference and AdminSetUserMFAPreference. Turning TOTP on needs a verified
 * authenticator; SMS, email and passkey MFA do not exist in the local pool. Settings
 * left out are unchanged. Call in a transaction.
 */
export function setMfaPreference(
  context: PoolContext,
  user: UserRecord,
  preferences: MfaPreferences,
): void {
  if (turnsOn(preferences.SMSMfaSettings)) {
    throw invalidParameter('User does not have delivery config set to turn on SMS_MFA');
  }
  if (turnsOn(preferences.EmailMfaSettings) || preferences.WebAuthnMfaSettings?.Enabled) {
    throw invalidParameter('Email and passkey MFA are not supported by the local pool.');
  }
  const settings = preferences.SoftwareTokenMfaSettings;
  if (!settings) return;
  const token = storedToken(context, user);
  if (turnsOn(settings) && !token.secret) {
    throw invalidParameter('User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA');
  }
  const enabled = settings.Enabled ?? settings.PreferredMfa ?? false;
  const preferred = enabled && (settings.PreferredMfa ?? false);
  context.store.putSoftwareToken({ ...token, enabled, preferred, updatedAt: context.clock() });
  context.logger.info(
    { poolId: user.poolId, username: user.username, enabled, preferred },
    'software token MFA preference set',
  );
}
