import { z } from 'zod';
import { closeSession, openSession, startSession } from '../domain/challenges';
import {
  associateSoftwareToken,
  mfaConfigurationOf,
  setMfaPreference,
  softwareTokenMfaEnabled,
  verifySoftwareToken,
} from '../domain/mfa';
import { requireClient, requirePool } from '../domain/pools';
import { verifyAccessToken } from '../domain/tokens';
import type { PoolRecord, UserPoolMfa, UserRecord } from '../domain/types';
import { requireUser } from '../domain/users';
import { invalidParameter, notAuthorized } from '../protocol/errors';
import { operation } from '../protocol/operation';
import { session, token, userPoolId, username } from '../protocol/shapes';

const accessTokenOrSession = { AccessToken: token.optional(), Session: session.optional() };

/** The request authorises as the signed-in user (AccessToken) or mid sign-in (Session), never both. */
function oneOf(request: { AccessToken?: string | undefined; Session?: string | undefined }): void {
  if ((request.AccessToken === undefined) === (request.Session === undefined)) {
    throw invalidParameter('Provide either an AccessToken or a Session, but not both.');
  }
}

/** The user of an MFA_SETUP session; disabled users are refused as at sign-in. */
function sessionUser(user: UserRecord): UserRecord {
  if (!user.enabled) throw notAuthorized('User is disabled.');
  return user;
}

/**
 * AssociateSoftwareToken: a new TOTP secret. With an access token, for the signed-in
 * user; with the session of an MFA_SETUP challenge, it also answers the session to pass
 * to VerifySoftwareToken.
 */
const associate = operation('public', z.object(accessTokenOrSession), (context, request) => {
  oneOf(request);
  return context.store.transaction(() => {
    if (request.AccessToken !== undefined) {
      const { pool, user } = verifyAccessToken(context, request.AccessToken);
      return { SecretCode: associateSoftwareToken(context, pool, user) };
    }
    const open = openSession(context, request.Session ?? '', ['MFA_SETUP', 'MFA_SETUP_ASSOCIATED']);
    const user = sessionUser(open.user);
    const secret = associateSoftwareToken(context, requirePool(context, user.poolId), user);
    closeSession(context, open);
    const client = requireClient(context, open.stored.clientId);
    return {
      SecretCode: secret,
      Session: startSession(context, client, user, 'MFA_SETUP_ASSOCIATED'),
    };
  });
});

const userCode = z
  .string()
  .min(6, 'Member must have length greater than or equal to 6')
  .max(6, 'Member must have length less than or equal to 6')
  .regex(/^[0-9]+$/, 'Member must satisfy regular expression pattern: [0-9]+');

/**
 * VerifySoftwareToken: a code from the authenticator makes the associated secret the
 * user's. With the MFA_SETUP session it also turns TOTP on and answers the session that
 * completes the challenge.
 */
const verify = operation(
  'public',
  z.object({
    ...accessTokenOrSession,
    UserCode: userCode,
    FriendlyDeviceName: z.string().max(131072).optional(),
  }),
  (context, request) => {
    oneOf(request);
    const check = { code: request.UserCode, friendlyDeviceName: request.FriendlyDeviceName };
    return context.store.transaction(() => {
      if (request.AccessToken !== undefined) {
        const { pool, user } = verifyAccessToken(context, request.AccessToken);
        verifySoftwareToken(context, pool, user, { ...check, turnOn: false });
        return { Status: 'SUCCESS' };
      }
      const open = openSession(context, request.Session ?? '', ['MFA_SETUP_ASSOCIATED']);
      const user = sessionUser(open.user);
      verifySoftwareToken(context, requirePool(context, user.poolId), user, {
        ...check,
        turnOn: true,
      });
      closeSession(context, open);
      const client = requireClient(context, open.stored.clientId);
      return {
        Status: 'SUCCESS',
        Session: startSession(context, client, user, 'MFA_SETUP_VERIFIED'),
      };
    });
  },
);

const mfaSettings = z
  .object({ Enabled: z.boolean().optional(), PreferredMfa: z.boolean().optional() })
  .optional();
const preferences = {
  SMSMfaSettings: mfaSettings,
  SoftwareTokenMfaSettings: mfaSettings,
  EmailMfaSettings: mfaSettings,
  WebAuthnMfaSettings: z.object({ Enabled: z.boolean().optional() }).optional(),
};

const setUserMfaPreference = operation(
  'public',
  z.object({ AccessToken: token, ...preferences }),
  (context, request) => {
    context.store.transaction(() => {
      const { user } = verifyAccessToken(context, request.AccessToken);
      setMfaPreference(context, user, request);
    });
    return {};
  },
);

const adminSetUserMfaPreference = operation(
  'iam',
  z.object({ UserPoolId: userPoolId, Username: username, ...preferences }),
  (context, request) => {
    context.store.transaction(() => {
      const pool = requirePool(context, request.UserPoolId);
      setMfaPreference(context, requireUser(context, pool, request.Username), request);
    });
    return {};
  },
);

function mfaConfig(pool: PoolRecord) {
  return {
    MfaConfiguration: mfaConfigurationOf(pool),
    SoftwareTokenMfaConfiguration: { Enabled: softwareTokenMfaEnabled(pool) },
  };
}

const getUserPoolMfaConfig = operation(
  'iam',
  z.object({ UserPoolId: userPoolId }),
  (context, request) => mfaConfig(requirePool(context, request.UserPoolId)),
);

const otherFactor = z.record(z.string(), z.unknown()).optional();

/**
 * The pool's MfaConfiguration and whether TOTP may be set up. Leaving TOTP out disables
 * it; leaving MfaConfiguration out keeps the current one. Cognito refuses ON or OPTIONAL
 * with no factor, and OFF together with a factor.
 */
function nextMfaConfig(
  pool: PoolRecord,
  request: {
    MfaConfiguration?: UserPoolMfa | undefined;
    SoftwareTokenMfaConfiguration?: { Enabled?: boolean | undefined } | undefined;
  },
): { mode: UserPoolMfa; totp: boolean } {
  const mode = request.MfaConfiguration ?? mfaConfigurationOf(pool);
  const totp = request.SoftwareTokenMfaConfiguration?.Enabled ?? false;
  if (mode !== 'OFF' && !totp) {
    throw invalidParameter(
      "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
    );
  }
  if (mode === 'OFF' && totp) {
    throw invalidParameter(
      "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
    );
  }
  return { mode, totp };
}

const setUserPoolMfaConfig = operation(
  'iam',
  z.object({
    UserPoolId: userPoolId,
    MfaConfiguration: z.enum(['OFF', 'ON', 'OPTIONAL']).optional(),
    SoftwareTokenMfaConfiguration: z.object({ Enabled: z.boolean().optional() }).optional(),
    SmsMfaConfiguration: otherFactor,
    EmailMfaConfiguration: otherFactor,
    WebAuthnConfiguration: otherFactor,
  }),
  (context, request) => {
    if (
      request.SmsMfaConfiguration ||
      request.EmailMfaConfiguration ||
      request.WebAuthnConfiguration
    ) {
      throw invalidParameter(
        'The local pool supports TOTP MFA only: SMS, email and passkey configurations are not supported.',
      );
    }
    const updated = context.store.transaction(() => {
      const pool = requirePool(context, request.UserPoolId);
      const { mode, totp } = nextMfaConfig(pool, request);
      const settings = {
        ...pool.settings,
        MfaConfiguration: mode,
        SoftwareTokenMfaConfiguration: { Enabled: totp },
      };
      context.store.updatePoolSettings(pool.id, settings, context.clock());
      return { ...pool, settings };
    });
    context.logger.info(
      { poolId: updated.id, ...mfaConfig(updated) },
      'user pool MFA configuration set',
    );
    return mfaConfig(updated);
  },
);

export const mfaOperations = {
  AssociateSoftwareToken: associate,
  VerifySoftwareToken: verify,
  SetUserMFAPreference: setUserMfaPreference,
  AdminSetUserMFAPreference: adminSetUserMfaPreference,
  GetUserPoolMfaConfig: getUserPoolMfaConfig,
  SetUserPoolMfaConfig: setUserPoolMfaConfig,
};
