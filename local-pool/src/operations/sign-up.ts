import { z } from 'zod';
import { isEmail } from '@authstack/shared';
import { checkSecretHash, enforcePasswordPolicy } from '../domain/auth';
import {
  consumeCode,
  deliveryDetails,
  sendCode,
  wrongCodeError,
  type CodeDeliveryDetails,
} from '../domain/codes';
import type { PoolContext } from '../domain/context';
import { newSub } from '../domain/ids';
import { findOrMigrateUser, migrationFailedError } from '../domain/migration';
import { applySignUpDecision, attributeMap, runPreSignUp } from '../domain/pre-sign-up';
import {
  autoVerifiesEmail,
  emailIsAlias,
  emailIsUsername,
  requireClient,
  requirePool,
} from '../domain/pools';
import type { ClientRecord, PoolRecord, UserRecord } from '../domain/types';
import { findUser, newUser, readAttributes, saveUserAttributes } from '../domain/users';
import { invalidParameter, notAuthorized, userNotFound, usernameExists } from '../protocol/errors';
import { operation } from '../protocol/operation';
import {
  attributes,
  clientId,
  password,
  secretHash,
  stringMap,
  username,
} from '../protocol/shapes';
import { UniqueViolation } from '../storage/store';

const confirmationCode = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^\S+$/, 'Member must satisfy regular expression pattern: [\\S]+');

const NOT_FOUND_FOR_CLIENT = 'Username/client id combination not found.';

/** With PreventUserExistenceErrors ENABLED, Cognito answers as if a code went to a made-up address. */
function simulatedDelivery(
  client: ClientRecord,
  name: string,
): { CodeDeliveryDetails: CodeDeliveryDetails } {
  if (client.settings.PreventUserExistenceErrors !== 'ENABLED') {
    throw userNotFound(NOT_FOUND_FOR_CLIENT);
  }
  return { CodeDeliveryDetails: deliveryDetails(isEmail(name) ? name : `${name}@example.com`) };
}

/** The members every public user operation shares. */
const userRequest = {
  ClientId: clientId,
  SecretHash: secretHash,
  Username: username,
  ClientMetadata: stringMap,
};

/** The app client (with its SECRET_HASH checked for `Username`) and its pool. */
function authenticateClient(
  context: PoolContext,
  request: { ClientId: string; Username: string; SecretHash?: string | undefined },
): { client: ClientRecord; pool: PoolRecord } {
  const client = requireClient(context, request.ClientId);
  checkSecretHash(client, request.Username, request.SecretHash);
  return { client, pool: requirePool(context, client.poolId) };
}

/** A confirmation for a user that does not exist: a code mismatch unless the client is LEGACY. */
function unknownUserForCode(client: ClientRecord): Error {
  return client.settings.PreventUserExistenceErrors === 'ENABLED'
    ? wrongCodeError()
    : userNotFound(NOT_FOUND_FOR_CLIENT);
}

const signUp = operation(
  'public',
  z.object({
    ...userRequest,
    Password: password,
    UserAttributes: attributes,
    ValidationData: attributes,
  }),
  async (context, request) => {
    const { client, pool } = authenticateClient(context, request);
    if (pool.settings.AdminCreateUserConfig.AllowAdminCreateUserOnly) {
      throw notAuthorized('SignUp is not permitted for this user pool');
    }
    const userAttributes = readAttributes(pool, request.UserAttributes, false);
    if (emailIsUsername(pool)) {
      if (!isEmail(request.Username)) throw invalidParameter('Username should be an email.');
      userAttributes.email = request.Username;
    } else if (emailIsAlias(pool) && isEmail(request.Username)) {
      throw invalidParameter(
        'Username cannot be of email format, since user pool is configured for email alias.',
      );
    }
    enforcePasswordPolicy(pool, request.Password);
    const existsMessage = emailIsUsername(pool)
      ? 'An account with the given email already exists.'
      : 'User already exists';
    if (findUser(context, pool, request.Username)) throw usernameExists(existsMessage);
    const sub = newSub();
    // Cognito asks the PreSignUp trigger only about a user it does not have, and creates
    // nothing when the trigger fails.
    const decision = await runPreSignUp(context, {
      pool,
      trigger: 'PreSignUp_SignUp',
      userName: emailIsUsername(pool) ? sub : request.Username,
      clientId: client.id,
      userAttributes,
      validationData: attributeMap(request.ValidationData),
      clientMetadata: request.ClientMetadata,
    });
    const created = applySignUpDecision(decision, {
      ...userAttributes,
      ...(userAttributes.email !== undefined ? { email_verified: 'false' } : {}),
    });
    const passwordHash = await context.passwords.hash(request.Password);
    return context.store.transaction(() => {
      let user: UserRecord;
      try {
        user = context.store.insertUser(
          newUser(pool, {
            username: request.Username,
            sub,
            status: created.confirmed ? 'CONFIRMED' : 'UNCONFIRMED',
            passwordHash,
            attributes: created.attributes,
            now: context.clock(),
          }),
        );
      } catch (error) {
        if (error instanceof UniqueViolation) throw usernameExists(existsMessage);
        throw error;
      }
      const delivery =
        !created.confirmed && autoVerifiesEmail(pool) && user.attributes.email
          ? { CodeDeliveryDetails: sendCode(context, user, 'signup') }
          : {};
      return { UserConfirmed: created.confirmed, UserSub: sub, ...delivery };
    });
  },
);

const confirmSignUp = operation(
  'public',
  z.object({
    ...userRequest,
    ConfirmationCode: confirmationCode,
    ForceAliasCreation: z.boolean().optional(),
  }),
  (context, request) => {
    const { client, pool } = authenticateClient(context, request);
    context.store.transaction(() => {
      const user = findUser(context, pool, request.Username);
      if (!user) {
        throw unknownUserForCode(client);
      }
      if (user.status !== 'UNCONFIRMED') {
        throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
      }
      consumeCode(context, user, 'signup', request.ConfirmationCode);
      const attributes = { ...user.attributes };
      if (attributes.email !== undefined) attributes.email_verified = 'true';
      // The code proved the email: in an email-alias pool it now signs the user in.
      saveUserAttributes(
        context,
        pool,
        user,
        { status: 'CONFIRMED', attributes },
        request.ForceAliasCreation ?? false,
      );
    });
    return {};
  },
);

const resendConfirmationCode = operation('public', z.object(userRequest), (context, request) => {
  const { client, pool } = authenticateClient(context, request);
  return context.store.transaction(() => {
    const user = findUser(context, pool, request.Username);
    if (!user) return simulatedDelivery(client, request.Username);
    if (user.status !== 'UNCONFIRMED') throw invalidParameter('User is already confirmed.');
    if (!user.attributes.email) {
      throw invalidParameter('Cannot send a code: the user has no email address.');
    }
    return { CodeDeliveryDetails: sendCode(context, user, 'signup') };
  });
});

const forgotPassword = operation('public', z.object(userRequest), async (context, request) => {
  const { client, pool } = authenticateClient(context, request);
  const { user: found, migrationFailed } = await findOrMigrateUser(context, {
    pool,
    client,
    userName: request.Username,
    trigger: 'UserMigration_ForgotPassword',
    clientMetadata: request.ClientMetadata,
  });
  if (migrationFailed && client.settings.PreventUserExistenceErrors !== 'ENABLED') {
    throw migrationFailedError(client);
  }
  if (!found) return simulatedDelivery(client, request.Username);
  return context.store.transaction(() => {
    const current = context.store.userById(found.id);
    if (!current) return simulatedDelivery(client, request.Username);
    if (!current.enabled) throw notAuthorized('User is disabled.');
    if (current.status === 'FORCE_CHANGE_PASSWORD') {
      throw notAuthorized('User password cannot be reset in the current state.');
    }
    if (current.attributes.email_verified !== 'true' || !current.attributes.email) {
      throw invalidParameter(
        'Cannot reset password for the user as there is no registered/verified email or phone_number',
      );
    }
    return { CodeDeliveryDetails: sendCode(context, current, 'forgot-password') };
  });
});

const confirmForgotPassword = operation(
  'public',
  z.object({
    ...userRequest,
    ConfirmationCode: confirmationCode,
    Password: password,
  }),
  async (context, request) => {
    const { client, pool } = authenticateClient(context, request);
    const user = findUser(context, pool, request.Username);
    if (!user) {
      throw unknownUserForCode(client);
    }
    enforcePasswordPolicy(pool, request.Password);
    const passwordHash = await context.passwords.hash(request.Password);
    context.store.transaction(() => {
      const current = context.store.userById(user.id);
      if (!current) throw wrongCodeError();
      consumeCode(context, current, 'forgot-password', request.ConfirmationCode);
      const status = current.status === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'CONFIRMED';
      context.store.updateUser(
        current,
        { passwordHash, status, temporaryPasswordExpiresAt: null },
        context.clock(),
      );
    });
    return {};
  },
);

export const signUpOperations = {
  SignUp: signUp,
  ConfirmSignUp: confirmSignUp,
  ResendConfirmationCode: resendConfirmationCode,
  ForgotPassword: forgotPassword,
  ConfirmForgotPassword: confirmForgotPassword,
};
