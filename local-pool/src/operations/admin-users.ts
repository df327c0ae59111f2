import { z } from 'zod';
import { isEmail } from '@authstack/shared';
import { enforcePasswordPolicy } from '../domain/auth';
import { queueMessage, sendCode } from '../domain/codes';
import { newSub, newTemporaryPassword } from '../domain/ids';
import { emailIsUsername, requirePool } from '../domain/pools';
import { ADMIN_CLIENT_ID, attributeMap, runPreSignUp } from '../domain/pre-sign-up';
import type { PoolContext } from '../domain/context';
import { mfaSettingsOf } from '../domain/mfa';
import type { PoolRecord, UserRecord } from '../domain/types';
import { parseUserFilter } from '../domain/user-filter';
import {
  attributeList,
  claimEmailKey,
  findUser,
  newUser,
  readAttributes,
  requireUser,
  toUserType,
  updateAttributes,
} from '../domain/users';
import { invalidParameter, notAuthorized, userNotFound, usernameExists } from '../protocol/errors';
import { operation } from '../protocol/operation';
import { attributes, limit, password, stringMap, userPoolId, username } from '../protocol/shapes';
import { UniqueViolation } from '../storage/store';
import { decodePageToken, page } from './paging';

const userRequest = { UserPoolId: userPoolId, Username: username };
const DAY = 86_400_000;

function temporaryPasswordExpiry(context: PoolContext, pool: PoolRecord): number | null {
  const days = pool.settings.Policies.PasswordPolicy.TemporaryPasswordValidityDays;
  return days > 0 ? context.clock() + days * DAY : null;
}

/** Runs `work` on the named user inside one transaction. */
function withUser<T>(
  context: PoolContext,
  request: { UserPoolId: string; Username: string },
  work: (pool: PoolRecord, user: UserRecord) => T,
): T {
  return context.store.transaction(() => {
    const pool = requirePool(context, request.UserPoolId);
    return work(pool, requireUser(context, pool, request.Username));
  });
}

function sendInvitation(context: PoolContext, user: UserRecord, temporaryPassword: string): void {
  if (user.attributes.email) {
    queueMessage(context, user.poolId, user.attributes.email, 'invitation', temporaryPassword);
  }
}

const adminCreateUser = operation(
  'iam',
  z.object({
    ...userRequest,
    UserAttributes: attributes,
    ValidationData: attributes,
    TemporaryPassword: password.optional(),
    ForceAliasCreation: z.boolean().optional(),
    MessageAction: z.enum(['RESEND', 'SUPPRESS']).optional(),
    DesiredDeliveryMediums: z.array(z.enum(['EMAIL', 'SMS'])).optional(),
    ClientMetadata: stringMap,
  }),
  async (context, request) => {
    const pool = requirePool(context, request.UserPoolId);
    const userAttributes = readAttributes(pool, request.UserAttributes, true);
    if (emailIsUsername(pool)) {
      if (!isEmail(request.Username)) throw invalidParameter('Username should be an email.');
      userAttributes.email = request.Username;
    }
    const policy = pool.settings.Policies.PasswordPolicy;
    if (request.TemporaryPassword !== undefined)
      enforcePasswordPolicy(pool, request.TemporaryPassword);
    const sub = newSub();
    if (request.MessageAction !== 'RESEND') {
      if (findUser(context, pool, request.Username)) {
        throw usernameExists('User account already exists');
      }
      // PreSignUp_AdminCreateUser: a failure creates nothing; the response flags are
      // ignored, as Cognito ignores them for AdminCreateUser.
      await runPreSignUp(context, {
        pool,
        trigger: 'PreSignUp_AdminCreateUser',
        userName: emailIsUsername(pool) ? sub : request.Username,
        clientId: ADMIN_CLIENT_ID,
        userAttributes,
        validationData: attributeMap(request.ValidationData),
        clientMetadata: request.ClientMetadata,
      });
    }
    const temporaryPassword =
      request.TemporaryPassword ?? newTemporaryPassword(policy.MinimumLength);
    const passwordHash = await context.passwords.hash(temporaryPassword);
    return context.store.transaction(() => {
      const existing = findUser(context, pool, request.Username);
      if (request.MessageAction === 'RESEND') {
        if (!existing) throw userNotFound('User does not exist.');
        if (existing.status !== 'FORCE_CHANGE_PASSWORD') {
          throw unsupportedResend(existing);
        }
        const updated = context.store.updateUser(
          existing,
          { passwordHash, temporaryPasswordExpiresAt: temporaryPasswordExpiry(context, pool) },
          context.clock(),
        );
        sendInvitation(context, updated, temporaryPassword);
        return { User: toUserType(updated) };
      }
      if (existing) throw usernameExists('User account already exists');
      const created = newUser(pool, {
        username: request.Username,
        sub,
        status: 'FORCE_CHANGE_PASSWORD',
        passwordHash,
        attributes: userAttributes,
        now: context.clock(),
        temporaryPasswordExpiresAt: temporaryPasswordExpiry(context, pool),
      });
      claimEmailKey(context, pool, created.emailKey, undefined, request.ForceAliasCreation);
      let user: UserRecord;
      try {
        user = context.store.insertUser(created);
      } catch (error) {
        if (error instanceof UniqueViolation) throw usernameExists('User account already exists');
        throw error;
      }
      if (request.MessageAction !== 'SUPPRESS') sendInvitation(context, user, temporaryPassword);
      return { User: toUserType(user) };
    });
  },
);

function unsupportedResend(user: UserRecord): Error {
  return notAuthorized(`Resend not possible. ${user.username} status is not FORCE_CHANGE_PASSWORD`);
}

const adminGetUser = operation('iam', z.object(userRequest), (context, request) =>
  withUser(context, request, (_pool, user) => ({
    Username: user.username,
    UserAttributes: attributeList(user),
    UserCreateDate: user.createdAt / 1000,
    UserLastModifiedDate: user.updatedAt / 1000,
    Enabled: user.enabled,
    UserStatus: user.status,
    ...mfaSettingsOf(context, user),
  })),
);

const adminSetUserPassword = operation(
  'iam',
  z.object({ ...userRequest, Password: password, Permanent: z.boolean().optional() }),
  async (context, request) => {
    const pool = requirePool(context, request.UserPoolId);
    requireUser(context, pool, request.Username);
    enforcePasswordPolicy(pool, request.Password);
    const passwordHash = await context.passwords.hash(request.Password);
    withUser(context, request, (_pool, user) =>
      context.store.updateUser(
        user,
        request.Permanent
          ? { passwordHash, status: 'CONFIRMED', temporaryPasswordExpiresAt: null }
          : {
              passwordHash,
              status: 'FORCE_CHANGE_PASSWORD',
              temporaryPasswordExpiresAt: temporaryPasswordExpiry(context, pool),
            },
        context.clock(),
      ),
    );
    return {};
  },
);

const adminConfirmSignUp = operation(
  'iam',
  z.object({ ...userRequest, ClientMetadata: stringMap }),
  (context, request) => {
    withUser(context, request, (_pool, user) => {
      if (user.status !== 'UNCONFIRMED') {
        throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
      }
      context.store.updateUser(user, { status: 'CONFIRMED' }, context.clock());
    });
    return {};
  },
);

const adminUpdateUserAttributes = operation(
  'iam',
  z.object({ ...userRequest, UserAttributes: attributes.unwrap(), ClientMetadata: stringMap }),
  (context, request) => {
    withUser(context, request, (pool, user) => {
      updateAttributes(context, pool, user, readAttributes(pool, request.UserAttributes, true));
    });
    return {};
  },
);

const adminDeleteUser = operation('iam', z.object(userRequest), (context, request) => {
  withUser(context, request, (_pool, user) => context.store.deleteUser(user.id));
  return {};
});

/** Disabling a user also revokes their tokens, as Cognito does. */
const adminDisableUser = operation('iam', z.object(userRequest), (context, request) => {
  withUser(context, request, (_pool, user) => {
    context.store.updateUser(user, { enabled: false }, context.clock());
    context.store.revokeAllRefreshTokens(user.id, context.clock());
  });
  return {};
});

const adminEnableUser = operation('iam', z.object(userRequest), (context, request) => {
  withUser(context, request, (_pool, user) =>
    context.store.updateUser(user, { enabled: true }, context.clock()),
  );
  return {};
});

const adminResetUserPassword = operation(
  'iam',
  z.object({ ...userRequest, ClientMetadata: stringMap }),
  (context, request) => {
    withUser(context, request, (_pool, user) => {
      if (user.attributes.email_verified !== 'true' || !user.attributes.email) {
        throw invalidParameter(
          'Cannot reset password for the user as there is no registered/verified email or phone_number',
        );
      }
      const reset = context.store.updateUser(user, { status: 'RESET_REQUIRED' }, context.clock());
      sendCode(context, reset, 'forgot-password');
    });
    return {};
  },
);

const adminUserGlobalSignOut = operation('iam', z.object(userRequest), (context, request) => {
  withUser(context, request, (_pool, user) =>
    context.store.revokeAllRefreshTokens(user.id, context.clock()),
  );
  return {};
});

const listUsers = operation(
  'iam',
  z.object({
    UserPoolId: userPoolId,
    AttributesToGet: z.array(z.string().min(1).max(32)).optional(),
    Limit: limit(60),
    PaginationToken: z.string().min(1).optional(),
    Filter: z.string().max(256).optional(),
  }),
  (context, request) => {
    const pool = requirePool(context, request.UserPoolId);
    const filter = parseUserFilter(pool, request.Filter);
    const max = request.Limit || 60;
    const after = Number(decodePageToken(request.PaginationToken) ?? 0);
    const { shown, next } = page(
      context.store.listUsers(pool.id, filter, after, max + 1),
      max,
      (user) => user.id,
      'PaginationToken',
    );
    return { Users: shown.map((user) => toUserType(user, request.AttributesToGet)), ...next };
  },
);

export const adminUserOperations = {
  AdminCreateUser: adminCreateUser,
  AdminGetUser: adminGetUser,
  AdminSetUserPassword: adminSetUserPassword,
  AdminConfirmSignUp: adminConfirmSignUp,
  AdminUpdateUserAttributes: adminUpdateUserAttributes,
  AdminDeleteUser: adminDeleteUser,
  AdminDisableUser: adminDisableUser,
  AdminEnableUser: adminEnableUser,
  AdminResetUserPassword: adminResetUserPassword,
  AdminUserGlobalSignOut: adminUserGlobalSignOut,
  ListUsers: listUsers,
};
