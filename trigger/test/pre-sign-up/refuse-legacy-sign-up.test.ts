import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { InvalidTriggerEventError } from '../../src/domain/errors';
import type { MigrationSettings } from '../../src/domain/migrate-user';
import {
  LEGACY_ACCOUNT_EXISTS_MESSAGE,
  LegacyAccountExistsError,
  SIGN_UP_UNAVAILABLE_MESSAGE,
  SignUpUnavailableError,
} from '../../src/pre-sign-up/errors';
import { refuseLegacySignUp } from '../../src/pre-sign-up/refuse-legacy-sign-up';
import {
  capturedLogger,
  FakeLegacyUserSource,
  RecordedLatencies,
  settings,
} from '../support/fakes';
import { preSignUpEvent, SUB } from './events';

function legacyStore(): FakeLegacyUserSource {
  const profile = (email: string, disabled = false) => ({
    password: 'Legacy-Passw0rd!',
    profile: { email, emailVerified: true, disabled },
  });
  return new FakeLegacyUserSource({
    'legacy@example.com': profile('legacy@example.com'),
    'disabled@example.com': profile('disabled@example.com', true),
    'legacy@other.org': profile('legacy@other.org'),
  });
}

function setup(overrides: Partial<MigrationSettings> = {}) {
  const users = legacyStore();
  const { logger, capture } = capturedLogger();
  const metrics = new RecordedLatencies();
  return {
    users,
    capture,
    metrics,
    deps: { users, settings: settings(overrides), logger, metrics },
  };
}

const signUp = (email: string | undefined, userName = SUB) =>
  preSignUpEvent('PreSignUp_SignUp', userName, email === undefined ? {} : { email });

describe('refuseLegacySignUp — PreSignUp_SignUp and PreSignUp_AdminCreateUser', () => {
  it.each(['PreSignUp_SignUp', 'PreSignUp_AdminCreateUser'] as const)(
    'refuses %s of an address the legacy store holds, with the message of an existing account',
    async (triggerSource) => {
      const { deps, users, capture } = setup();
      const event = preSignUpEvent(triggerSource, SUB, { email: 'legacy@example.com' });
      const attempt = refuseLegacySignUp(event, deps);
      await expect(attempt).rejects.toBeInstanceOf(LegacyAccountExistsError);
      await expect(attempt).rejects.toThrow(LEGACY_ACCOUNT_EXISTS_MESSAGE);
      expect(users.calls).toEqual([{ method: 'holdsAccount', email: 'legacy@example.com' }]);
      expect(capture.records()).toContainEqual(
        expect.objectContaining({
          msg: 'sign-up refused',
          outcome: 'refused',
          reason: 'legacy_account',
          triggerSource,
          awsRequestId: 'req-1',
          user: expect.stringMatching(/^[0-9a-f]{12}$/),
        }),
      );
    },
  );

  it('looks the address up trimmed and lower-cased, as the legacy store is searched', async () => {
    const { deps, users } = setup();
    await expect(refuseLegacySignUp(signUp('  Legacy@EXAMPLE.com '), deps)).rejects.toThrow(
      LegacyAccountExistsError,
    );
    expect(users.calls).toEqual([{ method: 'holdsAccount', email: 'legacy@example.com' }]);
  });

  it('refuses a disabled legacy account too: the address is still taken', async () => {
    const { deps } = setup();
    await expect(refuseLegacySignUp(signUp('disabled@example.com'), deps)).rejects.toThrow(
      LegacyAccountExistsError,
    );
  });

  it('checks a username that is itself an address (a pool whose usernames are free text)', async () => {
    const { deps, users } = setup();
    const event = preSignUpEvent('PreSignUp_SignUp', 'Legacy@Example.com', {
      email: 'someone.else@example.com',
    });
    await expect(refuseLegacySignUp(event, deps)).rejects.toThrow(LegacyAccountExistsError);
    expect(users.calls.map((call) => call.email)).toEqual([
      'someone.else@example.com',
      'legacy@example.com',
    ]);
  });

  it('lets an address the legacy store does not hold through, handing the event back untouched', async () => {
    const { deps, users, capture } = setup();
    const event = signUp('new.person@example.com');
    const before = structuredClone(event);
    const result = await refuseLegacySignUp(event, deps);
    expect(result).toEqual(before);
    expect(result.response).toEqual({
      autoConfirmUser: false,
      autoVerifyEmail: false,
      autoVerifyPhone: false,
    });
    expect(users.calls).toEqual([{ method: 'holdsAccount', email: 'new.person@example.com' }]);
    expect(capture.records()).toContainEqual(
      expect.objectContaining({ msg: 'sign-up allowed', outcome: 'allowed' }),
    );
  });

  it('lets a sign-up without any address through without asking the store', async () => {
    const { deps, users } = setup();
    await expect(refuseLegacySignUp(signUp(undefined, 'plain-username'), deps)).resolves.toEqual(
      signUp(undefined, 'plain-username'),
    );
    expect(users.calls).toEqual([]);
  });

  it('does not guard addresses outside MIGRATION_ALLOWED_EMAIL_DOMAINS: they never migrate', async () => {
    const { deps, users } = setup({ allowedEmailDomains: ['example.com'] });
    await expect(refuseLegacySignUp(signUp('legacy@other.org'), deps)).resolves.toBeDefined();
    expect(users.calls).toEqual([]);
    await expect(refuseLegacySignUp(signUp('legacy@example.com'), deps)).rejects.toThrow(
      LegacyAccountExistsError,
    );
  });

  it('fails closed when the legacy store fails: the sign-up is refused, with a message for people', async () => {
    const { deps, users, capture } = setup();
    users.fault = 'error';
    const attempt = refuseLegacySignUp(signUp('new.person@example.com'), deps);
    await expect(attempt).rejects.toBeInstanceOf(SignUpUnavailableError);
    await expect(attempt).rejects.toThrow(SIGN_UP_UNAVAILABLE_MESSAGE);
    expect(capture.records()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 'error',
          msg: 'legacy user store unavailable',
          errorCode: 'ECONNREFUSED',
        }),
        expect.objectContaining({ outcome: 'refused', reason: 'store_unavailable' }),
      ]),
    );
  });

  it('reports the latency of each legacy-store call: one per address it looks up', async () => {
    const { deps, users, metrics } = setup();
    await refuseLegacySignUp(signUp('new.person@example.com', 'other.person@example.com'), deps);
    expect(users.calls).toHaveLength(2);
    expect(metrics.milliseconds).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it('fails closed when the store does not answer by the deadline, and aborts the call', async () => {
    const { deps, users } = setup({ storeTimeoutMs: 50 });
    users.fault = 'hang';
    const started = performance.now();
    await expect(refuseLegacySignUp(signUp('new.person@example.com'), deps)).rejects.toThrow(
      SignUpUnavailableError,
    );
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(users.lastSignal?.aborted).toBe(true);
  });

  it('never logs the address or the event', async () => {
    const { deps, capture } = setup();
    const event = preSignUpEvent(
      'PreSignUp_SignUp',
      SUB,
      { email: 'legacy@example.com', name: 'Private Name' },
      { captcha: 'secret-captcha-token' },
    );
    await expect(refuseLegacySignUp(event, deps)).rejects.toThrow(LegacyAccountExistsError);
    await refuseLegacySignUp(signUp('new.person@example.com'), deps);
    const text = capture.text();
    for (const secret of [
      'legacy@example.com',
      'new.person@example.com',
      'Private Name',
      'secret-captcha-token',
      SUB,
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('refuseLegacySignUp — other events', () => {
  it('passes PreSignUp_ExternalProvider through unchanged without asking the store', async () => {
    const { deps, users } = setup();
    const event = preSignUpEvent('PreSignUp_ExternalProvider', 'Google_1234', {
      email: 'legacy@example.com',
    });
    await expect(refuseLegacySignUp(event, deps)).resolves.toBe(event);
    expect(users.calls).toEqual([]);
  });

  it('refuses an event that is not a PreSignUp event', async () => {
    const { deps } = setup();
    const broken = { triggerSource: 'PreSignUp_SignUp' } as unknown as PreSignUpTriggerEvent;
    await expect(refuseLegacySignUp(broken, deps)).rejects.toBeInstanceOf(InvalidTriggerEventError);
  });
});
