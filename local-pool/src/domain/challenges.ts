import { notAuthorized } from '../protocol/errors';
import type { PoolContext } from './context';
import { newOpaqueToken } from './ids';
import { hashToken, type AuthenticationResult } from './tokens';
import type { ClientRecord, StoredSession, UserRecord } from './types';

export type ChallengeName = 'NEW_PASSWORD_REQUIRED' | 'SOFTWARE_TOKEN_MFA' | 'MFA_SETUP';

/** What InitiateAuth, AdminInitiateAuth and the two RespondToAuthChallenge operations answer. */
export interface AuthResponse {
  ChallengeName?: ChallengeName;
  Session?: string;
  ChallengeParameters: Record<string, string>;
  AuthenticationResult?: AuthenticationResult;
}

/**
 * What a session was issued for. Besides the challenge names Cognito returns, the
 * MFA_SETUP flow has two inner stages: the session AssociateSoftwareToken answers with
 * (good for VerifySoftwareToken) and the one VerifySoftwareToken answers with (good for
 * RespondToAuthChallenge MFA_SETUP).
 */
export type SessionPurpose = ChallengeName | 'MFA_SETUP_ASSOCIATED' | 'MFA_SETUP_VERIFIED';

export const EXPIRED_SESSION = 'Invalid session for the user, session is expired.';
export const USED_SESSION = 'Invalid session for the user, session can only be used once.';

/**
 * How long a challenge session lives: the app client's AuthSessionValidity (Cognito:
 * 3 to 15 minutes, default 3), unless LOCAL_POOL_AUTH_SESSION_SECONDS overrides it.
 */
export function sessionLifetimeMs(context: PoolContext, client: ClientRecord): number {
  return context.authSessionSeconds !== undefined
    ? context.authSessionSeconds * 1000
    : client.settings.AuthSessionValidity * 60_000;
}

/** Issues an opaque session for `user`'s next step; only its hash is stored. Call in a transaction. */
export function startSession(
  context: PoolContext,
  client: ClientRecord,
  user: UserRecord,
  purpose: SessionPurpose,
): string {
  const session = newOpaqueToken(64);
  context.store.insertSession(hashToken(session), {
    userId: user.id,
    clientId: client.id,
    challenge: purpose,
    expiresAt: context.clock() + sessionLifetimeMs(context, client),
  });
  return session;
}

export interface OpenSession {
  hash: string;
  stored: StoredSession;
  user: UserRecord;
}

/**
 * The live session `session` for one of `purposes` (and for `client` when given), without
 * using it up: a wrong code leaves a challenge standing. Unknown, expired, foreign and
 * mismatched sessions all read as expired, as Cognito words it; an answered one says so.
 */
export function openSession(
  context: PoolContext,
  session: string,
  purposes: readonly SessionPurpose[],
  client?: ClientRecord,
): OpenSession {
  const hash = hashToken(session);
  const stored = context.store.getSession(hash);
  if (
    !stored ||
    (client !== undefined && stored.clientId !== client.id) ||
    !(purposes as readonly string[]).includes(stored.challenge) ||
    stored.expiresAt <= context.clock()
  ) {
    throw notAuthorized(EXPIRED_SESSION);
  }
  if (stored.usedAt !== null) throw notAuthorized(USED_SESSION);
  const user = context.store.userById(stored.userId);
  if (!user) throw notAuthorized(EXPIRED_SESSION);
  return { hash, stored, user };
}

/** Uses a session up; it stays stored, marked used, until it expires. */
export function closeSession(context: PoolContext, open: OpenSession): void {
  context.store.markSessionUsed(open.hash, context.clock());
}
