import { timingSafeEqual } from 'node:crypto';
import {
  passwordPolicyViolations,
  PASSWORD_RULE_MESSAGES,
  secretHash as computeSecretHash,
} from '@authstack/shared';
import {
  INCORRECT_CREDENTIALS,
  invalidPassword,
  notAuthorized,
  passwordResetRequired,
  userNotConfirmed,
  userNotFound,
} from '../protocol/errors';
import { startSession, type AuthResponse } from './challenges';
import type { PoolContext } from './context';
import { completeSignIn } from './mfa';
import { findOrMigrateUser, migrationFailedError } from './migration';
import { lockKeyOf } from './sign-in-lockout';
import type { ClientRecord, PoolRecord, UserRecord } from './types';

export type { AuthResponse } from './challenges';

/** SECRET_HASH = Base64(HMAC-SHA256(clientSecret, username + clientId)), required when the client has a secret. */
export function checkSecretHash(
  client: ClientRecord,
  username: string,
  secretHash: string | undefined,
): void {
  if (!client.secret) return;
  if (!secretHash) {
    throw notAuthorized(`Client ${client.id} is configured for secret but secret was not received`);
  }
  const expected = Buffer.from(computeSecretHash(client.secret, username, client.id), 'base64');
  const given = Buffer.from(secretHash, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw notAuthorized(`Unable to verify secret hash for client ${client.id}`);
  }
}

const LEGACY_FLOW_NAMES: Readonly<Record<string, string>> = {
  USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
  ADMIN_NO_SRP_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  CUSTOM_AUTH_FLOW_ONLY: 'ALLOW_CUSTOM_AUTH',
};

/** Whether the client's ExplicitAuthFlows allow `flow` (given by its ALLOW_ name). */
export function clientAllows(client: ClientRecord, flow: string): boolean {
  const configured = client.settings.ExplicitAuthFlows;
  // Clients configured with the legacy names only can always refresh, as in Cognito.
  if (
    flow === 'ALLOW_REFRESH_TOKEN_AUTH' &&
    configured.every((name) => !name.startsWith('ALLOW_'))
  ) {
    return true;
  }
  return configured.some((name) => (LEGACY_FLOW_NAMES[name] ?? name) === flow);
}

/** What Cognito answers for a user it cannot find, depending on PreventUserExistenceErrors. */
export function unknownUserError(client: ClientRecord): Error {
  return client.settings.PreventUserExistenceErrors === 'ENABLED'
    ? notAuthorized(INCORRECT_CREDENTIALS)
    : userNotFound('User does not exist.');
}

/** InvalidPasswordException unless `password` satisfies the pool's policy. */
export function enforcePasswordPolicy(pool: PoolRecord, password: string): void {
  const [rule] = passwordPolicyViolations(password, pool.settings.Policies.PasswordPolicy);
  if (rule) {
    throw invalidPassword(`Password did not conform with policy: ${PASSWORD_RULE_MESSAGES[rule]}`);
  }
}

/** Disabled users and users who may not sign in yet, checked after the password. */
export function assertUserCanSignIn(user: UserRecord): void {
  if (!user.enabled) throw notAuthorized('User is disabled.');
  if (user.status === 'UNCONFIRMED') throw userNotConfirmed('User is not confirmed.');
}

function startNewPasswordChallenge(
  context: PoolContext,
  client: ClientRecord,
  user: UserRecord,
): AuthResponse {
  const session = startSession(context, client, user, 'NEW_PASSWORD_REQUIRED');
  const {
    sub: _sub,
    email_verified: _verified,
    phone_number_verified: _phone,
    ...visible
  } = user.attributes;
  return {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: session,
    ChallengeParameters: {
      USER_ID_FOR_SRP: user.username,
      requiredAttributes: '[]',
      userAttributes: JSON.stringify(visible),
    },
  };
}

export interface PasswordSignIn {
  pool: PoolRecord;
  client: ClientRecord;
  username: string;
  password: string;
  clientMetadata?: Record<string, string>;
}

/**
 * USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH: find (or migrate) the user, check
 * the password, then answer with tokens, a NEW_PASSWORD_REQUIRED or MFA challenge, or
 * the error Cognito gives for the user's state.
 */
export async function signInWithPassword(
  context: PoolContext,
  request: PasswordSignIn,
): Promise<AuthResponse> {
  const { pool, client, username, password } = request;
  const { user, migrationFailed } = await findOrMigrateUser(context, {
    pool,
    client,
    userName: username,
    trigger: 'UserMigration_Authentication',
    password,
    validationData: request.clientMetadata,
    clientMetadata: request.clientMetadata,
  });
  if (migrationFailed && client.settings.PreventUserExistenceErrors !== 'ENABLED') {
    throw migrationFailedError(client);
  }
  if (user?.status === 'RESET_REQUIRED') {
    throw passwordResetRequired('Password reset required for the user');
  }
  if (user) context.lockout.assertNotLocked(lockKeyOf(user));
  const matches = await context.passwords.verify(password, user?.passwordHash ?? null);
  if (!user) throw unknownUserError(client);
  if (!matches) {
    context.lockout.recordFailure(lockKeyOf(user));
    throw notAuthorized(INCORRECT_CREDENTIALS);
  }
  const signedIn = user;
  const response = context.store.transaction(() => {
    const current = context.store.userById(signedIn.id);
    if (!current || current.passwordHash !== signedIn.passwordHash) {
      throw notAuthorized(INCORRECT_CREDENTIALS);
    }
    assertUserCanSignIn(current);
    if (current.status === 'FORCE_CHANGE_PASSWORD') {
      if (
        current.temporaryPasswordExpiresAt !== null &&
        current.temporaryPasswordExpiresAt <= context.clock()
      ) {
        throw notAuthorized(
          'Temporary password has expired and must be reset by an administrator.',
        );
      }
      return startNewPasswordChallenge(context, client, current);
    }
    return completeSignIn(context, pool, client, current);
  });
  // Wrong MFA codes count with wrong passwords, so the right password alone does not clear them.
  if (response.ChallengeName !== 'SOFTWARE_TOKEN_MFA') {
    context.lockout.recordSuccess(lockKeyOf(user));
  }
  return response;
}
