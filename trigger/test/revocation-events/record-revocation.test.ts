import { maskIdentifier } from '@authstack/shared';
import {
  recordRevocationEvent,
  type RevocationEventDeps,
  type RevocationRecorder,
  type UserLookup,
} from '../../src/revocation-events/record-revocation';
import { capturedLogger } from '../support/fakes';
import * as recorded from './cloudtrail-events';
import { EMAIL, EVENT_TIME, POOL_ID, SUB } from './cloudtrail-events';

type Call =
  { kind: 'user'; sub: string; at: Date } | { kind: 'group'; sub: string; group: string; at: Date };

/** The state store in memory: records each revocation and answers like RevocationStore. */
class FakeRevocations implements RevocationRecorder {
  readonly calls: Call[] = [];
  fault: Error | undefined;

  async revokeUser(sub: string, at: Date): Promise<number> {
    if (this.fault) throw this.fault;
    this.calls.push({ kind: 'user', sub, at });
    return Math.floor(at.getTime() / 1000) + 1;
  }

  async revokeGroup(sub: string, group: string, at: Date): Promise<number> {
    if (this.fault) throw this.fault;
    this.calls.push({ kind: 'group', sub, group, at });
    return Math.floor(at.getTime() / 1000) + 1;
  }
}

/** The pool's users by alias; records what it was asked. */
class FakeUsers implements UserLookup {
  readonly asked: string[] = [];
  constructor(readonly subByAlias: Record<string, string>) {}

  async findSub(username: string): Promise<string | undefined> {
    this.asked.push(username);
    return this.subByAlias[username];
  }
}

const EVENT_SECONDS = Date.parse(EVENT_TIME) / 1000;

function setup() {
  const revocations = new FakeRevocations();
  const users = new FakeUsers({ [EMAIL]: SUB });
  const { logger, capture } = capturedLogger();
  const deps: RevocationEventDeps = { userPoolId: POOL_ID, revocations, users, logger };
  return { deps, revocations, users, capture };
}

describe('recordRevocationEvent', () => {
  it.each([
    ['AdminUserGlobalSignOut', recorded.adminUserGlobalSignOut],
    ['AdminDisableUser', recorded.adminDisableUser],
    ['AdminDeleteUser', recorded.adminDeleteUser],
  ])(
    '%s revokes every token of the user issued up to the call (not up to now)',
    async (eventName, event) => {
      const { deps, revocations, users, capture } = setup();
      const outcome = await recordRevocationEvent(event, deps);
      expect(outcome).toEqual({
        result: 'recorded',
        kind: 'user',
        sub: SUB,
        notBefore: EVENT_SECONDS + 1,
      });
      expect(revocations.calls).toEqual([{ kind: 'user', sub: SUB, at: new Date(EVENT_TIME) }]);
      expect(users.asked).toEqual([]);
      expect(capture.records()).toEqual([
        expect.objectContaining({
          level: 'info',
          awsRequestId: 'req-1',
          eventName,
          sub: SUB,
          notBefore: EVENT_SECONDS + 1,
          msg: 'every token of the user revoked',
        }),
      ]);
    },
  );

  it('AdminRemoveUserFromGroup revokes the group claim in the tokens issued up to the call', async () => {
    const { deps, revocations } = setup();
    const outcome = await recordRevocationEvent(recorded.adminRemoveUserFromGroup, deps);
    expect(outcome).toEqual({
      result: 'recorded',
      kind: 'group',
      sub: SUB,
      group: 'admin',
      notBefore: EVENT_SECONDS + 1,
    });
    expect(revocations.calls).toEqual([
      { kind: 'group', sub: SUB, group: 'admin', at: new Date(EVENT_TIME) },
    ]);
  });

  it('resolves a username given as the email alias to the sub (AdminGetUser)', async () => {
    const { deps, revocations, users, capture } = setup();
    const outcome = await recordRevocationEvent(recorded.adminUserGlobalSignOutByEmail, deps);
    expect(outcome).toMatchObject({ result: 'recorded', kind: 'user', sub: SUB });
    expect(users.asked).toEqual([EMAIL]);
    expect(revocations.calls).toEqual([{ kind: 'user', sub: SUB, at: new Date(EVENT_TIME) }]);
    expect(capture.text()).not.toContain(EMAIL);
  });

  it('logs and skips a user deleted by alias: the sub can no longer be found', async () => {
    const { deps, revocations, capture } = setup();
    const users = new FakeUsers({});
    const outcome = await recordRevocationEvent(recorded.adminDeleteUserByEmail, {
      ...deps,
      users,
    });
    expect(outcome).toEqual({ result: 'skipped', reason: 'user_not_found' });
    expect(users.asked).toEqual([EMAIL]);
    expect(revocations.calls).toEqual([]);
    expect(capture.records()).toEqual([
      expect.objectContaining({
        level: 'warn',
        eventName: 'AdminDeleteUser',
        reason: 'user_not_found',
        user: maskIdentifier(EMAIL),
      }),
    ]);
    expect(capture.text()).not.toContain(EMAIL);
  });

  it.each([
    ['a call on another pool', recorded.otherPoolSignOut, 'other_pool'],
    ['a call IAM refused', recorded.deniedSignOut, 'failed_call'],
    ['a username CloudTrail hid', recorded.hiddenUsernameSignOut, 'username_hidden'],
    ['not a CloudTrail API-call event', recorded.malformed, 'malformed_event'],
    ['a group removal without its group', recorded.groupRemovalWithoutGroup, 'malformed_event'],
    ['no event at all', null, 'malformed_event'],
  ])('records nothing for %s, and says so in the log', async (_what, event, reason) => {
    const { deps, revocations, users, capture } = setup();
    expect(await recordRevocationEvent(event, deps)).toEqual({ result: 'skipped', reason });
    expect(revocations.calls).toEqual([]);
    expect(users.asked).toEqual([]);
    expect(capture.records()).toEqual([expect.objectContaining({ level: 'warn' })]);
  });

  it('fails the invocation when the store cannot record it, so Lambda retries the event', async () => {
    const { deps, revocations } = setup();
    revocations.fault = new Error('connect ECONNREFUSED 10.0.2.15:5432');
    await expect(recordRevocationEvent(recorded.adminDisableUser, deps)).rejects.toThrow(
      'ECONNREFUSED',
    );
  });

  it('fails the invocation when the alias cannot be looked up (Cognito fault)', async () => {
    const { deps, revocations } = setup();
    const users: UserLookup = {
      findSub: () => Promise.reject(new Error('TooManyRequestsException')),
    };
    await expect(
      recordRevocationEvent(recorded.adminUserGlobalSignOutByEmail, { ...deps, users }),
    ).rejects.toThrow('TooManyRequestsException');
    expect(revocations.calls).toEqual([]);
  });
});
