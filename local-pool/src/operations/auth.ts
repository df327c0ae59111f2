import { z } from 'zod';
import {
  assertUserCanSignIn,
  checkSecretHash,
  clientAllows,
  enforcePasswordPolicy,
  signInWithPassword,
  type AuthResponse,
} from '../domain/auth';
import { closeSession, openSession } from '../domain/challenges';
import type { PoolContext } from '../domain/context';
import { answerMfaSetup, answerSoftwareTokenMfa, completeSignIn } from '../domain/mfa';
import { requireClient, requirePool } from '../domain/pools';
import { refreshTokens } from '../domain/tokens';
import type { ClientRecord, PoolRecord } from '../domain/types';
import { findUser, mergeAttributes, readAttributes, saveUserAttributes } from '../domain/users';
import { invalidParameter, notAuthorized } from '../protocol/errors';
import { operation } from '../protocol/operation';
import { clientId, session, stringMap, userPoolId } from '../protocol/shapes';

const AUTH_FLOWS = [
  'USER_SRP_AUTH',
  'REFRESH_TOKEN_AUTH',
  'REFRESH_TOKEN',
  'CUSTOM_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'USER_AUTH',
] as const;

const authRequest = {
  ClientId: clientId,
  AuthFlow: z.enum(AUTH_FLOWS),
  AuthParameters: stringMap,
  ClientMetadata: stringMap,
};

function parameter(parameters: Record<string, string> | undefined, name: string): string {
  const value = parameters?.[name];
  if (value === undefined || value === '')
    throw invalidParameter(`Missing required parameter ${name}`);
  return value;
}

function refresh(
  context: PoolContext,
  pool: PoolRecord,
  client: ClientRecord,
  parameters: Record<string, string> | undefined,
): AuthResponse {
  if (!clientAllows(client, 'ALLOW_REFRESH_TOKEN_AUTH')) {
    throw invalidParameter('Refresh Token flow not enabled for this client');
  }
  const token = parameter(parameters, 'REFRESH_TOKEN');
  const result = context.store.transaction(() =>
    refreshTokens(context, pool, client, token, (user) => {
      checkSecretHash(client, user.username, parameters?.SECRET_HASH);
      if (!user.enabled) throw notAuthorized('User is disabled.');
    }),
  );
  return { ChallengeParameters: {}, AuthenticationResult: result };
}

async function passwordFlow(
  context: PoolContext,
  pool: PoolRecord,
  client: ClientRecord,
  parameters: Record<string, string> | undefined,
  clientMetadata: Record<string, string> | undefined,
): Promise<AuthResponse> {
  const username = parameter(parameters, 'USERNAME');
  const password = parameter(parameters, 'PASSWORD');
  checkSecretHash(client, username, parameters?.SECRET_HASH);
  return signInWithPassword(context, { pool, client, username, password, clientMetadata });
}

const unsupportedFlow = (flow: string) =>
  invalidParameter(`${flow} is not supported by the local pool; use USER_PASSWORD_AUTH.`);

const initiateAuth = operation('public', z.object(authRequest), async (context, request) => {
  const client = requireClient(context, request.ClientId);
  const pool = requirePool(context, client.poolId);
  switch (request.AuthFlow) {
    case 'USER_PASSWORD_AUTH':
      if (!clientAllows(client, 'ALLOW_USER_PASSWORD_AUTH')) {
        throw invalidParameter('USER_PASSWORD_AUTH flow not enabled for this client');
      }
      return passwordFlow(context, pool, client, request.AuthParameters, request.ClientMetadata);
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN':
      return refresh(context, pool, client, request.AuthParameters);
    case 'ADMIN_NO_SRP_AUTH':
    case 'ADMIN_USER_PASSWORD_AUTH':
      throw invalidParameter('Initiate Auth method not supported.');
    default:
      throw unsupportedFlow(request.AuthFlow);
  }
});

const adminInitiateAuth = operation(
  'iam',
  z.object({ UserPoolId: userPoolId, ...authRequest }),
  async (context, request) => {
    const pool = requirePool(context, request.UserPoolId);
    const client = requireClient(context, request.ClientId, pool.id);
    switch (request.AuthFlow) {
      case 'ADMIN_USER_PASSWORD_AUTH':
      case 'ADMIN_NO_SRP_AUTH':
        if (!clientAllows(client, 'ALLOW_ADMIN_USER_PASSWORD_AUTH')) {
          throw invalidParameter('Auth flow not enabled for this client');
        }
        return passwordFlow(context, pool, client, request.AuthParameters, request.ClientMetadata);
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN':
        return refresh(context, pool, client, request.AuthParameters);
      case 'USER_PASSWORD_AUTH':
        throw invalidParameter('Initiate Auth method not supported.');
      default:
        throw unsupportedFlow(request.AuthFlow);
    }
  },
);

const challengeRequest = {
  ClientId: clientId,
  ChallengeName: z.string().min(1),
  Session: session.optional(),
  ChallengeResponses: stringMap,
  ClientMetadata: stringMap,
};

interface ChallengeRequest {
  ChallengeName: string;
  Session?: string | undefined;
  ChallengeResponses?: Record<string, string> | undefined;
}

/** NEW_PASSWORD_REQUIRED: set the new password (policy enforced), confirm the user, then sign in (MFA may follow). */
async function answerNewPassword(
  context: PoolContext,
  pool: PoolRecord,
  client: ClientRecord,
  answer: { session: string; username: string; responses: Record<string, string> },
): Promise<AuthResponse> {
  const { responses, username } = answer;
  const newPassword = parameter(responses, 'NEW_PASSWORD');
  enforcePasswordPolicy(pool, newPassword);
  const attributeUpdates = readAttributes(
    pool,
    Object.entries(responses)
      .filter(([name]) => name.startsWith('userAttributes.'))
      .map(([name, Value]) => ({ Name: name.slice('userAttributes.'.length), Value })),
    false,
  );
  const passwordHash = await context.passwords.hash(newPassword);
  return context.store.transaction(() => {
    const open = openSession(context, answer.session, ['NEW_PASSWORD_REQUIRED'], client);
    const { user } = open;
    if (findUser(context, pool, username)?.id !== user.id) {
      throw notAuthorized('Invalid session for the user.');
    }
    assertUserCanSignIn(user);
    closeSession(context, open);
    // An email another user already holds is AliasExistsException (the transaction undoes the rest).
    const confirmed = saveUserAttributes(context, pool, user, {
      attributes: mergeAttributes(pool, user, attributeUpdates).attributes,
      status: 'CONFIRMED',
      passwordHash,
      temporaryPasswordExpiresAt: null,
    });
    return completeSignIn(context, pool, client, confirmed);
  });
}

const CHALLENGES = ['NEW_PASSWORD_REQUIRED', 'SOFTWARE_TOKEN_MFA', 'MFA_SETUP'];

/** RespondToAuthChallenge and AdminRespondToAuthChallenge: every challenge needs the session and USERNAME (+ SECRET_HASH). */
function answerChallenge(
  context: PoolContext,
  pool: PoolRecord,
  client: ClientRecord,
  request: ChallengeRequest,
): Promise<AuthResponse> | AuthResponse {
  if (!CHALLENGES.includes(request.ChallengeName)) {
    throw invalidParameter(`The local pool supports only the ${CHALLENGES.join(', ')} challenges.`);
  }
  const responses = request.ChallengeResponses ?? {};
  if (!request.Session) throw invalidParameter('Missing required parameter Session');
  const username = parameter(responses, 'USERNAME');
  checkSecretHash(client, username, responses.SECRET_HASH);
  const answer = { session: request.Session, username };
  switch (request.ChallengeName) {
    case 'SOFTWARE_TOKEN_MFA':
      return answerSoftwareTokenMfa(context, pool, client, {
        ...answer,
        code: parameter(responses, 'SOFTWARE_TOKEN_MFA_CODE'),
      });
    case 'MFA_SETUP':
      return answerMfaSetup(context, pool, client, answer);
    default:
      return answerNewPassword(context, pool, client, { ...answer, responses });
  }
}

const respondToAuthChallenge = operation(
  'public',
  z.object(challengeRequest),
  (context, request) => {
    const client = requireClient(context, request.ClientId);
    return answerChallenge(context, requirePool(context, client.poolId), client, request);
  },
);

const adminRespondToAuthChallenge = operation(
  'iam',
  z.object({ UserPoolId: userPoolId, ...challengeRequest }),
  (context, request) => {
    const pool = requirePool(context, request.UserPoolId);
    return answerChallenge(
      context,
      pool,
      requireClient(context, request.ClientId, pool.id),
      request,
    );
  },
);

export const authOperations = {
  InitiateAuth: initiateAuth,
  AdminInitiateAuth: adminInitiateAuth,
  RespondToAuthChallenge: respondToAuthChallenge,
  AdminRespondToAuthChallenge: adminRespondToAuthChallenge,
};
