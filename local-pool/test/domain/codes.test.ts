import { consumeCode, sendCode } from '@authstack/local-pool/domain/codes';
import { newUser } from '@authstack/local-pool/domain/users';
import type { UserRecord } from '@authstack/local-pool/domain/types';
import { domainFixture, type DomainFixture } from '../support/domain-context';

describe('sendCode / consumeCode', () => {
  let fixture: DomainFixture;
  let user: UserRecord;

  beforeEach(() => {
    fixture = domainFixture();
    user = fixture.context.store.insertUser(
      newUser(fixture.pool, {
        username: 'u-1',
        sub: 'u-1',
        status: 'UNCONFIRMED',
        passwordHash: null,
        attributes: { email: 'code@example.com' },
        now: fixture.now.ms,
      }),
    );
  });

  afterEach(() => fixture.close());

  const latestCode = () => fixture.context.store.listMessages('code@example.com')[0]?.code ?? '';

  it('queues a 6-digit code in the outbox and logs the message without the code or address', () => {
    const details = sendCode(fixture.context, user, 'signup');
    expect(details).toEqual({
      Destination: 'c***@e***',
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    const code = latestCode();
    expect(code).toMatch(/^\d{6}$/);
    expect(fixture.logs.text()).toContain('message queued in the local outbox');
    expect(fixture.logs.text()).not.toContain(code);
    expect(fixture.logs.text()).not.toContain('code@example.com');
  });

  it('accepts a code once', () => {
    sendCode(fixture.context, user, 'signup');
    const code = latestCode();
    consumeCode(fixture.context, user, 'signup', code);
    expect(() => consumeCode(fixture.context, user, 'signup', code)).toThrow(
      expect.objectContaining({ name: 'ExpiredCodeException' }),
    );
  });

  it('expires sign-up codes after 24 hours and forgot-password codes after 1 hour', () => {
    sendCode(fixture.context, user, 'signup');
    const signup = latestCode();
    sendCode(fixture.context, user, 'forgot-password');
    const forgot = latestCode();
    fixture.now.ms += 60 * 60 * 1000;
    expect(() => consumeCode(fixture.context, user, 'forgot-password', forgot)).toThrow(
      expect.objectContaining({ name: 'ExpiredCodeException' }),
    );
    fixture.now.ms += 23 * 60 * 60 * 1000 - 1;
    expect(() => consumeCode(fixture.context, user, 'signup', signup)).not.toThrow();
  });

  it('refuses a wrong code as a mismatch and keeps the right one usable', () => {
    sendCode(fixture.context, user, 'signup');
    const code = latestCode();
    const wrong = code === '000000' ? '000001' : '000000';
    expect(() => consumeCode(fixture.context, user, 'signup', wrong)).toThrow(
      expect.objectContaining({ name: 'CodeMismatchException' }),
    );
    expect(() => consumeCode(fixture.context, user, 'signup', code)).not.toThrow();
  });

  it('replaces an earlier code of the same kind', () => {
    sendCode(fixture.context, user, 'signup');
    const first = latestCode();
    sendCode(fixture.context, user, 'signup');
    const second = latestCode();
    if (first !== second) {
      expect(() => consumeCode(fixture.context, user, 'signup', first)).toThrow(
        expect.objectContaining({ name: 'CodeMismatchException' }),
      );
    }
    expect(() => consumeCode(fixture.context, user, 'signup', second)).not.toThrow();
  });

  it('keeps outbox messages for a week', () => {
    sendCode(fixture.context, user, 'signup');
    fixture.now.ms += 7 * 24 * 60 * 60 * 1000;
    fixture.context.store.prune(fixture.now.ms);
    expect(fixture.context.store.listMessages('code@example.com')).toHaveLength(1);
    fixture.now.ms += 1;
    fixture.context.store.prune(fixture.now.ms);
    expect(fixture.context.store.listMessages('code@example.com')).toEqual([]);
  });
});
