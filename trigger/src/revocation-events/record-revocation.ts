import { maskIdentifier, type Logger } from '@authstack/shared';
import { parseAdministrationCall, type AdministrationCall } from './cloudtrail-event';

/**
 * Records revocations in the shared state store, as of a given moment. `at` is the time of
 * the administration call, not of this function's run, so a late or retried event never
 * revokes tokens of a sign-in that came after the call. Returns the revocation's `notBefore`.
 */
export interface RevocationRecorder {
  revokeUser(sub: string, at: Date): Promise<number>;
  revokeGroup(sub: string, group: string, at: Date): Promise<number>;
}

/** Finds a user of the pool by username or alias. */
export interface UserLookup {
  /** The user's `sub`, or undefined when the pool has no such user (any more). */
  findSub(username: string): Promise<string | undefined>;
}

export interface RevocationEventDeps {
  /** Only calls on this pool count; the EventBridge rule filters on it too. */
  userPoolId: string;
  revocations: RevocationRecorder;
  users: UserLookup;
  /** Already carries the Lambda request id. */
  logger: Logger;
}

export type SkipReason =
  'malformed_event' | 'failed_call' | 'other_pool' | 'username_hidden' | 'user_not_found';

export type RevocationOutcome =
  | { result: 'recorded'; kind: 'user'; sub: string; notBefore: number }
  | { result: 'recorded'; kind: 'group'; sub: string; group: string; notBefore: number }
  | { result: 'skipped'; reason: SkipReason };

/** Cognito's `sub`: a UUID. In this pool (email is the username attribute) usernames are subs. */
const SUB = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What CloudTrail writes in place of a value Cognito keeps out of the trail. */
const HIDDEN = /^HIDDEN_(DUE_TO|FOR)_SECURITY_REASONS$/;

type Resolved = { sub: string } | { skipped: 'username_hidden' | 'user_not_found' };

async function resolveSub(call: AdministrationCall, users: UserLookup): Promise<Resolved> {
  if (SUB.test(call.username)) return { sub: call.username.toLowerCase() };
  if (HIDDEN.test(call.username)) return { skipped: 'username_hidden' };
  const sub = await users.findSub(call.username);
  return sub === undefined ? { skipped: 'user_not_found' } : { sub };
}

/**
 * Turns one CloudTrail event of a user-pool administration call into a revocation:
 * `AdminUserGlobalSignOut`, `AdminDisableUser` and `AdminDeleteUser` revoke every token of
 * the user issued up to the call; `AdminRemoveUserFromGroup` revokes the group claim in them.
 *
 * The caller names the user by username (in this pool, the sub) or by alias (email); an
 * alias is resolved with AdminGetUser. A user deleted by alias can no longer be resolved:
 * that event is logged and skipped, and their tokens run out on their own. Events that are
 * malformed, for another pool, or of a call that failed are logged and skipped too: retrying
 * them would change nothing. A store or Cognito fault throws, so Lambda retries the event.
 */
export async function recordRevocationEvent(
  event: unknown,
  deps: RevocationEventDeps,
): Promise<RevocationOutcome> {
  const { logger } = deps;
  const call = parseAdministrationCall(event);
  if (call === undefined) {
    logger.warn('not a CloudTrail event of a revoking user-pool call; ignored');
    return { result: 'skipped', reason: 'malformed_event' };
  }
  const context = { eventName: call.eventName, eventId: call.eventId, eventTime: call.at };
  const skip = (reason: SkipReason, message: string, extra: object = {}): RevocationOutcome => {
    logger.warn({ ...context, ...extra, reason }, message);
    return { result: 'skipped', reason };
  };
  if (call.errorCode !== undefined)
    return skip('failed_call', 'the call failed; nothing to revoke', {
      errorCode: call.errorCode,
    });
  if (call.userPoolId !== deps.userPoolId)
    return skip('other_pool', 'a call on another user pool; ignored', {
      userPoolId: call.userPoolId,
    });

  const resolved = await resolveSub(call, deps.users);
  if ('skipped' in resolved) {
    return resolved.skipped === 'username_hidden'
      ? skip('username_hidden', 'CloudTrail hid the username; the user cannot be identified')
      : skip(
          'user_not_found',
          'no such user (any more) for this alias; nothing recorded, their tokens expire on their own',
          { user: maskIdentifier(call.username) },
        );
  }

  const { sub } = resolved;
  if (call.eventName === 'AdminRemoveUserFromGroup') {
    const group = call.groupName ?? '';
    const notBefore = await deps.revocations.revokeGroup(sub, group, call.at);
    logger.info({ ...context, sub, group, notBefore }, 'group membership revoked');
    return { result: 'recorded', kind: 'group', sub, group, notBefore };
  }
  const notBefore = await deps.revocations.revokeUser(sub, call.at);
  logger.info({ ...context, sub, notBefore }, 'every token of the user revoked');
  return { result: 'recorded', kind: 'user', sub, notBefore };
}
