import { timingSafeEqual } from 'node:crypto';
import {
  passwordPolicyViolations,
  PASSWORD_RULE_MESSAGES,
  secretHash as computeSecretHash,
} from '@authstack/shared';
import {
  INCORRECT_CREDENTIALS,
  invalidParameter,
  invalidPassword,
  notAuthorized,
  passwordResetRequired,
  userNotConfirmed,
  userNotFound,
} from '../protocol/errors';
import type { PoolContext } from './context';
import { newOpaqueToken } from './ids';
import { findOrMigrateUser, migrationFailedError } from './migration';
import { verifyPassword } from './passwords';
import { issueTokens, hashToken, type AuthenticationResult } from './tokens';
import type { ClientRecord, PoolRecord, UserRecord } from './types';

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

export interface AuthResponse {
  ChallengeName?: 'NEW_PASSWORD_REQUIRED';
  Session?: string;
  ChallengeParameters: Record<string, string>;
  AuthenticationResult?: AuthenticationResult;
}

export const NEW_PASSWORD_REQUIRED = 'NEW_PASSWORD_REQUIRED';

function startNewPasswordChallenge(
  context: PoolContext,
  client: ClientRecord,
  user: UserRecord,
): AuthResponse {
  const session = newOpaqueToken(64);
  context.store.insertSession(hashToken(session), {
    userId: user.id,
    clientId: client.id,
    challenge: NEW_PASSWORD_REQUIRED,
    expiresAt: context.clock() + client.settings.AuthSessionValidity * 60_000,
  });
  const {
    sub: _sub,
    email_verified: _verified,
    phone_number_verified: _phone,
    ...visible
  } = user.attributes;
  return {
    ChallengeName: NEW_PASSWORD_REQUIRED,
    Session: session,
    ChallengeParameters: {
      USER_ID_FOR_SRP: user.username,
      requiredAttributes: '[]',
      userAttributes: JSON.stringify(visible),
    },
  };
}

const lockKeyOf = (user: UserRecord): string => `${user.poolId}/${user.id}`;

export interface PasswordSignIn {
  pool: PoolRecord;
  client: ClientRecord;
  username: string;
  password: string;
  clientMetadata?: Record<string, string>;
}

/**
 * USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH: find (or migrate) the user, check
 * the password, then answer with tokens, a NEW_PASSWORD_REQUIRED challenge, or the
 * error Cognito gives for the user's state.
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
  const matches = await verifyPassword(password, user?.passwordHash ?? null);
  if (!user) throw unknownUserError(client);
  if (!matches) {
    context.lockout.recordFailure(lockKeyOf(user));
    throw notAuthorized(INCORRECT_CREDENTIALS);
  }
  context.lockout.recordSuccess(lockKeyOf(user));
  const signedIn = user;
  return context.store.transaction(() => {
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
    return {
      ChallengeParameters: {},
      AuthenticationResult: issueTokens(context, pool, client, current),
    };
  });
}

/** The user behind a NEW_PASSWORD_REQUIRED session, which is used up by this call. */
export function takeChallengeSession(
  context: PoolContext,
  client: ClientRecord,
  session: string,
  challengeName: string,
): UserRecord {
  const stored = context.store.takeSession(hashToken(session));
  if (
    !stored ||
    stored.clientId !== client.id ||
    stored.challenge !== challengeName ||
    stored.expiresAt <= context.clock()
  ) {
    throw notAuthorized('Invalid session for the user, session is expired.');
  }
  const user = context.store.userById(stored.userId);
  if (!user) throw notAuthorized('Invalid session for the user, session is expired.');
  return user;
}

export function assertChallengeSupported(challengeName: string): void {
  if (challengeName !== NEW_PASSWORD_REQUIRED) {
    throw invalidParameter(`The local pool supports only the ${NEW_PASSWORD_REQUIRED} challenge.`);
  }
}
