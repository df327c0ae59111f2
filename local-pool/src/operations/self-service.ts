import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { enforcePasswordPolicy } from '../domain/auth';
import { consumeCode, sendCode } from '../domain/codes';
import { mfaSettingsOf } from '../domain/mfa';
import { autoVerifiesEmail, requireClient } from '../domain/pools';
import { hashToken, verifyAccessToken } from '../domain/tokens';
import { attributeList, readAttributes, updateAttributes } from '../domain/users';
import {
  INCORRECT_CREDENTIALS,
  invalidParameter,
  notAuthorized,
  unsupportedOperation,
  unsupportedTokenType,
} from '../protocol/errors';
import { operation } from '../protocol/operation';
import { attributes, clientId, password, stringMap, token } from '../protocol/shapes';

const withToken = { AccessToken: token };

const getUser = operation('public', z.object(withToken), (context, request) => {
  const { user } = verifyAccessToken(context, request.AccessToken);
  return {
    Username: user.username,
    UserAttributes: attributeList(user),
    ...mfaSettingsOf(context, user),
  };
});

const updateUserAttributes = operation(
  'public',
  z.object({ ...withToken, UserAttributes: attributes.unwrap(), ClientMetadata: stringMap }),
  (context, request) =>
    context.store.transaction(() => {
      const { pool, user } = verifyAccessToken(context, request.AccessToken);
      const updates = readAttributes(pool, request.UserAttributes, false);
      const updated = updateAttributes(context, pool, user, updates);
      const emailChanged = updates.email !== undefined && updates.email !== user.attributes.email;
      return {
        CodeDeliveryDetailsList:
          emailChanged && autoVerifiesEmail(pool)
            ? [sendCode(context, updated, 'verify-email')]
            : [],
      };
    }),
);

/** Sends a code that proves the email (to the local outbox), as Cognito mails one. */
const getUserAttributeVerificationCode = operation(
  'public',
  z.object({ ...withToken, AttributeName: z.string().min(1).max(32), ClientMetadata: stringMap }),
  (context, request) => {
    if (request.AttributeName !== 'email') {
      throw invalidParameter('The local pool verifies only the email attribute.');
    }
    return context.store.transaction(() => {
      const { user } = verifyAccessToken(context, request.AccessToken);
      return { CodeDeliveryDetails: sendCode(context, user, 'verify-email') };
    });
  },
);

const verifyUserAttribute = operation(
  'public',
  z.object({
    ...withToken,
    AttributeName: z.string().min(1).max(32),
    Code: z.string().min(1).max(2048),
  }),
  (context, request) => {
    if (request.AttributeName !== 'email') {
      throw invalidParameter('The local pool verifies only the email attribute.');
    }
    context.store.transaction(() => {
      const { pool, user } = verifyAccessToken(context, request.AccessToken);
      consumeCode(context, user, 'verify-email', request.Code);
      updateAttributes(context, pool, user, { email_verified: 'true' });
    });
    return {};
  },
);

const changePassword = operation(
  'public',
  z.object({ ...withToken, PreviousPassword: password.optional(), ProposedPassword: password }),
  async (context, request) => {
    const { pool, user } = verifyAccessToken(context, request.AccessToken);
    if (!(await context.passwords.verify(request.PreviousPassword ?? '', user.passwordHash))) {
      throw notAuthorized(INCORRECT_CREDENTIALS);
    }
    enforcePasswordPolicy(pool, request.ProposedPassword);
    const passwordHash = await context.passwords.hash(request.ProposedPassword);
    context.store.transaction(() => {
      const { user: current } = verifyAccessToken(context, request.AccessToken);
      if (current.passwordHash !== user.passwordHash) throw notAuthorized(INCORRECT_CREDENTIALS);
      context.store.updateUser(current, { passwordHash }, context.clock());
    });
    return {};
  },
);

const globalSignOut = operation('public', z.object(withToken), (context, request) => {
  context.store.transaction(() => {
    const { user } = verifyAccessToken(context, request.AccessToken);
    context.store.revokeAllRefreshTokens(user.id, context.clock());
  });
  return {};
});

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Revokes one refresh token and every access token issued from it (same origin_jti). */
const revokeToken = operation(
  'public',
  z.object({ Token: token, ClientId: clientId, ClientSecret: z.string().max(64).optional() }),
  (context, request) => {
    const client = requireClient(context, request.ClientId);
    if (!client.settings.EnableTokenRevocation) {
      throw unsupportedOperation('Token revocation is not enabled for this client.');
    }
    if (client.secret && !sameSecret(request.ClientSecret, client.secret)) {
      throw notAuthorized('Invalid client secret.');
    }
    if (request.Token.split('.').length === 3) {
      throw unsupportedTokenType('Only refresh tokens can be revoked.');
    }
    context.store.transaction(() => {
      const stored = context.store.refreshTokenByHash(hashToken(request.Token));
      if (!stored) return;
      if (stored.clientId !== client.id) throw notAuthorized('Invalid Refresh Token');
      context.store.revokeRefreshToken(stored.originJti, context.clock());
    });
    return {};
  },
);

export const selfServiceOperations = {
  GetUser: getUser,
  UpdateUserAttributes: updateUserAttributes,
  GetUserAttributeVerificationCode: getUserAttributeVerificationCode,
  VerifyUserAttribute: verifyUserAttribute,
  ChangePassword: changePassword,
  GlobalSignOut: globalSignOut,
  RevokeToken: revokeToken,
};
