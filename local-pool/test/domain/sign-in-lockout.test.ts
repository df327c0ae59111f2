import { SignInLockout } from '@authstack/local-pool/domain/sign-in-lockout';

describe('SignInLockout', () => {
  const now = { ms: 0 };
  const clock = () => now.ms;
  beforeEach(() => {
    now.ms = 1_000_000;
  });

  it('allows five failures, then locks for 1 s, doubling with each further failure', () => {
    const lockout = new SignInLockout({ enabled: true }, clock);
    for (let i = 0; i < 4; i += 1) lockout.recordFailure('u');
    expect(() => lockout.assertNotLocked('u')).not.toThrow();
    lockout.recordFailure('u');
    expect(() => lockout.assertNotLocked('u')).toThrow('Password attempts exceeded');
    now.ms += 1_000;
    expect(() => lockout.assertNotLocked('u')).not.toThrow();
    lockout.recordFailure('u');
    now.ms += 1_999;
    expect(() => lockout.assertNotLocked('u')).toThrow(
      expect.objectContaining({ name: 'NotAuthorizedException' }),
    );
    now.ms += 1;
    expect(() => lockout.assertNotLocked('u')).not.toThrow();
  });

  it('caps the lock at 15 minutes and forgets failures after a success', () => {
    const lockout = new SignInLockout({ enabled: true }, clock);
    for (let i = 0; i < 40; i += 1) lockout.recordFailure('u');
    now.ms += 15 * 60_000;
    expect(() => lockout.assertNotLocked('u')).not.toThrow();
    lockout.recordSuccess('u');
    lockout.recordFailure('u');
    expect(() => lockout.assertNotLocked('u')).not.toThrow();
  });

  it('keeps users apart and never locks when disabled', () => {
    const lockout = new SignInLockout({ enabled: true }, clock);
    for (let i = 0; i < 5; i += 1) lockout.recordFailure('a');
    expect(() => lockout.assertNotLocked('b')).not.toThrow();
    const off = new SignInLockout({ enabled: false }, clock);
    for (let i = 0; i < 50; i += 1) off.recordFailure('a');
    expect(() => off.assertNotLocked('a')).not.toThrow();
  });
});
