import { LEGACY_STORE_UNAVAILABLE_MESSAGE } from '@authstack/shared';
import { migrateUser } from '../../src/domain/migrate-user';
import {
  InvalidTriggerEventError,
  LegacyStoreUnavailableError,
  MigrationRefusedError,
  REFUSAL_MESSAGE,
} from '../../src/domain/errors';
import {
  capturedLogger,
  FakeLegacyUserSource,
  migrationEvent,
  RecordedLatencies,
  settings,
  type FakeLegacyUser,
} from '../support/fakes';
import type { MigrationSettings } from '../../src/domain/migrate-user';

const STRONG = 'Legacy-Passw0rd!';

function legacyUsers(): Record<string, FakeLegacyUser> {
  return {
    'legacy@example.com': {
      password: STRONG,
      profile: {
        email: 'legacy@example.com',
        name: 'Legacy User',
        emailVerified: true,
        disabled: false,
      },
    },
    'weak@example.com': {
      password: 'password',
      profile: {
        email: 'weak@example.com',
        name: 'Weak User',
        emailVerified: true,
        disabled: false,
      },
    },
    'unverified@example.com': {
      password: STRONG,
      profile: {
        email: 'unverified@example.com',
        name: 'Unverified',
        emailVerified: false,
        disabled: false,
      },
    },
    'disabled@example.com': {
      password: STRONG,
      profile: {
        email: 'disabled@example.com',
        name: 'Disabled',
        emailVerified: true,
        disabled: true,
      },
    },
    'noname@example.com': {
      password: STRONG,
      profile: { email: 'noname@example.com', emailVerified: true, disabled: false },
    },
    'md5@example.com': {
      password: STRONG,
      unsupportedHash: true,
      profile: { email: 'md5@example.com', name: 'MD5', emailVerified: true, disabled: false },
    },
    'legacy@other.org': {
      password: STRONG,
      profile: { email: 'legacy@other.org', name: 'Other', emailVerified: true, disabled: false },
    },
  };
}

function setup(overrides: Partial<MigrationSettings> = {}) {
  const users = new FakeLegacyUserSource(legacyUsers());
  const { logger, capture } = capturedLogger();
  const metrics = new RecordedLatencies();
  const deps = { users, settings: settings(overrides), logger, metrics };
  return { users, capture, deps, metrics };
}

const signIn = (userName: string, password?: string) =>
  migrationEvent('UserMigration_Authentication', userName, password);
const forgot = (userName: string) => migrationEvent('UserMigration_ForgotPassword', userName);

describe('migrateUser — UserMigration_Authentication', () => {
  it('migrates a legacy user with the right password as CONFIRMED, suppressing the welcome message', async () => {
    const { deps } = setup();
    const result = await migrateUser(signIn('legacy@example.com', STRONG), deps);
    expect(result.response).toEqual({
      userAttributes: { email: 'legacy@example.com', email_verified: 'true', name: 'Legacy User' },
      finalUserStatus: 'CONFIRMED',
      messageAction: 'SUPPRESS',
    });
    expect(result.userName).toBe('legacy@example.com');
  });

  it('looks the user up by the trimmed, lower-cased address they typed', async () => {
    const { deps, users } = setup();
    const result = await migrateUser(signIn('  Legacy@EXAMPLE.com ', STRONG), deps);
    expect(users.calls).toEqual([{ method: 'authenticate', email: 'legacy@example.com' }]);
    expect(result.response.userAttributes.email).toBe('legacy@example.com');
  });

  it('migrates a password that breaks the pool policy as RESET_REQUIRED', async () => {
    const { deps } = setup();
    const result = await migrateUser(signIn('weak@example.com', 'password'), deps);
    expect(result.response.finalUserStatus).toBe('RESET_REQUIRED');
    expect(result.response.messageAction).toBe('SUPPRESS');
  });

  it('applies the configured policy, not only the default one', async () => {
    const { deps } = setup({ passwordPolicy: { ...settings().passwordPolicy, MinimumLength: 20 } });
    const result = await migrateUser(signIn('legacy@example.com', STRONG), deps);
    expect(result.response.finalUserStatus).toBe('RESET_REQUIRED');
  });

  it.each([
    ['a wrong password', 'legacy@example.com', 'Wrong-Passw0rd!', 'wrong_password'],
    ['an unknown user', 'nobody@example.com', STRONG, 'unknown_user'],
    ['a disabled legacy user', 'disabled@example.com', STRONG, 'disabled'],
    ['a hash scheme the trigger cannot verify', 'md5@example.com', STRONG, 'unsupported_hash'],
  ])(
    'refuses %s with the one refusal message, logging the reason',
    async (_case, userName, password, reason) => {
      const { deps, capture } = setup();
      const attempt = migrateUser(signIn(userName, password), deps);
      await expect(attempt).rejects.toThrow(MigrationRefusedError);
      await expect(attempt).rejects.toThrow(REFUSAL_MESSAGE);
      await expect(attempt).rejects.toMatchObject({ reason });
      const refusal = capture.records().find((record) => record.msg === 'migration refused');
      expect(refusal).toMatchObject({ outcome: 'refused', reason });
    },
  );

  it('logs the scheme of an unsupported hash', async () => {
    const { deps, capture } = setup();
    await expect(migrateUser(signIn('md5@example.com', STRONG), deps)).rejects.toThrow(
      MigrationRefusedError,
    );
    expect(capture.records()).toContainEqual(expect.objectContaining({ hashKind: '$1$' }));
  });

  it('marks the email unverified when the legacy store says so', async () => {
    const { deps } = setup();
    const result = await migrateUser(signIn('unverified@example.com', STRONG), deps);
    expect(result.response.userAttributes.email_verified).toBe('false');
    expect(result.response.finalUserStatus).toBe('CONFIRMED');
  });

  it('marks every email verified when MIGRATION_TRUST_EMAIL is on', async () => {
    const { deps } = setup({ trustEmail: true });
    const result = await migrateUser(signIn('unverified@example.com', STRONG), deps);
    expect(result.response.userAttributes.email_verified).toBe('true');
  });

  it('leaves out the name attribute when the legacy user has none', async () => {
    const { deps } = setup();
    const result = await migrateUser(signIn('noname@example.com', STRONG), deps);
    expect(result.response.userAttributes).toEqual({
      email: 'noname@example.com',
      email_verified: 'true',
    });
  });

  it('refuses addresses outside MIGRATION_ALLOWED_EMAIL_DOMAINS without asking the store', async () => {
    const { deps, users } = setup({ allowedEmailDomains: ['example.com'] });
    await expect(migrateUser(signIn('legacy@other.org', STRONG), deps)).rejects.toThrow(
      MigrationRefusedError,
    );
    expect(users.calls).toEqual([]);
    const migrated = await migrateUser(signIn('legacy@example.com', STRONG), deps);
    expect(migrated.response.finalUserStatus).toBe('CONFIRMED');
  });

  it('does not treat a subdomain as an allowed domain', async () => {
    const { deps, users } = setup({ allowedEmailDomains: ['example.com'] });
    await expect(migrateUser(signIn('someone@evil.example.com', STRONG), deps)).rejects.toThrow(
      MigrationRefusedError,
    );
    expect(users.calls).toEqual([]);
  });

  it.each([
    ['no password', 'legacy@example.com', undefined],
    ['an empty password', 'legacy@example.com', ''],
    ['a user name that is not an email', 'legacy', STRONG],
    ['an address that is too long', `${'a'.repeat(250)}@example.com`, STRONG],
  ])('refuses %s without asking the store', async (_case, userName, password) => {
    const { deps, users } = setup();
    await expect(migrateUser(signIn(userName, password), deps)).rejects.toThrow(
      MigrationRefusedError,
    );
    expect(users.calls).toEqual([]);
  });

  it('fails with LegacyStoreUnavailable, logged, when the store throws', async () => {
    const { deps, users, capture } = setup();
    users.fault = 'error';
    await expect(migrateUser(signIn('legacy@example.com', STRONG), deps)).rejects.toThrow(
      LegacyStoreUnavailableError,
    );
    expect(capture.records()).toContainEqual(
      expect.objectContaining({
        level: 'error',
        outcome: 'store_unavailable',
        errorCode: 'ECONNREFUSED',
        msg: 'legacy user store unavailable',
      }),
    );
  });

  it.each(['error', 'hang'] as const)(
    'throws the shared "cannot check right now" message for a store fault (%s), never the refusal',
    async (fault) => {
      const { deps, users } = setup({ storeTimeoutMs: 50 });
      users.fault = fault;
      const failure: unknown = await migrateUser(signIn('legacy@example.com', STRONG), deps).catch(
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({
        name: 'LegacyStoreUnavailable',
        message: LEGACY_STORE_UNAVAILABLE_MESSAGE,
      });
      expect(LEGACY_STORE_UNAVAILABLE_MESSAGE).not.toContain(REFUSAL_MESSAGE);
    },
  );

  it('reports the latency of each legacy-store call, a failed one too, and none when it asks nothing', async () => {
    const { deps, users, metrics } = setup();
    await migrateUser(signIn('legacy@example.com', STRONG), deps);
    await expect(migrateUser(signIn('legacy', STRONG), deps)).rejects.toThrow(
      MigrationRefusedError,
    );
    expect(metrics.milliseconds).toEqual([expect.any(Number)]);
    users.fault = 'error';
    await expect(migrateUser(signIn('legacy@example.com', STRONG), deps)).rejects.toThrow(
      LegacyStoreUnavailableError,
    );
    expect(metrics.milliseconds).toHaveLength(2);
    expect(metrics.milliseconds.every((ms) => ms >= 0)).toBe(true);
  });

  it('gives up on a store that does not answer by the deadline, and aborts the call', async () => {
    const { deps, users, capture } = setup({ storeTimeoutMs: 50 });
    users.fault = 'hang';
    await expect(migrateUser(signIn('legacy@example.com', STRONG), deps)).rejects.toThrow(
      LegacyStoreUnavailableError,
    );
    expect(users.lastSignal?.aborted).toBe(true);
    expect(capture.records()).toContainEqual(
      expect.objectContaining({ errorType: 'LegacyStoreTimeout' }),
    );
  });

  it('keeps the fields of the event it does not own', async () => {
    const { deps } = setup();
    const event = signIn('legacy@example.com', STRONG);
    const result = await migrateUser(event, deps);
    expect(result).toMatchObject({
      version: '1',
      userPoolId: 'us-east-1_TestPool1',
      callerContext: event.callerContext,
    });
  });
});

describe('migrateUser — UserMigration_ForgotPassword', () => {
  it('migrates a known, verified legacy user as RESET_REQUIRED without a password', async () => {
    const { deps, users } = setup();
    const result = await migrateUser(forgot('Legacy@Example.com'), deps);
    expect(users.calls).toEqual([{ method: 'lookup', email: 'legacy@example.com' }]);
    expect(result.response).toEqual({
      userAttributes: { email: 'legacy@example.com', email_verified: 'true', name: 'Legacy User' },
      finalUserStatus: 'RESET_REQUIRED',
      messageAction: 'SUPPRESS',
    });
  });

  it.each([
    ['an unknown user', 'nobody@example.com', 'unknown_user'],
    ['a disabled user', 'disabled@example.com', 'disabled'],
    [
      'a user whose email was never verified (no code could reach them)',
      'unverified@example.com',
      'email_not_verified',
    ],
  ])('refuses %s', async (_case, userName, reason) => {
    const { deps, capture } = setup();
    await expect(migrateUser(forgot(userName), deps)).rejects.toThrow(REFUSAL_MESSAGE);
    expect(capture.records()).toContainEqual(expect.objectContaining({ reason }));
  });

  it('migrates an unverified user when MIGRATION_TRUST_EMAIL is on', async () => {
    const { deps } = setup({ trustEmail: true });
    const result = await migrateUser(forgot('unverified@example.com'), deps);
    expect(result.response.userAttributes.email_verified).toBe('true');
    expect(result.response.finalUserStatus).toBe('RESET_REQUIRED');
  });

  it('fails with LegacyStoreUnavailable when the store is down', async () => {
    const { deps, users } = setup();
    users.fault = 'error';
    await expect(migrateUser(forgot('legacy@example.com'), deps)).rejects.toThrow(
      LegacyStoreUnavailableError,
    );
  });
});

describe('migrateUser — events it does not handle', () => {
  it('rejects another trigger source', async () => {
    const { deps, users } = setup();
    const event = { ...signIn('legacy@example.com', STRONG), triggerSource: 'PreSignUp_SignUp' };
    await expect(migrateUser(event as never, deps)).rejects.toThrow(InvalidTriggerEventError);
    expect(users.calls).toEqual([]);
  });

  it('rejects an event without a user name', async () => {
    const { deps } = setup();
    await expect(
      migrateUser({ triggerSource: 'UserMigration_Authentication' } as never, deps),
    ).rejects.toThrow(InvalidTriggerEventError);
  });
});

describe('migrateUser — logs', () => {
  it('never logs the password or the address, and tags every line with the request id', async () => {
    const { deps, users, capture } = setup();
    const secret = 'Very-Secret-Passw0rd!';
    await expect(migrateUser(signIn('legacy@example.com', secret), deps)).rejects.toThrow();
    await migrateUser(signIn('legacy@example.com', STRONG), deps);
    users.fault = 'error';
    await expect(migrateUser(signIn('legacy@example.com', secret), deps)).rejects.toThrow();

    const text = capture.text();
    expect(capture.lines.length).toBeGreaterThanOrEqual(3);
    expect(text).not.toContain(secret);
    expect(text).not.toContain(STRONG);
    expect(text).not.toContain('legacy@example.com');
    for (const record of capture.records()) {
      expect(record).toMatchObject({
        awsRequestId: 'req-1',
        user: expect.stringMatching(/^[0-9a-f]{12}$/),
      });
    }
  });

  it('cannot be made to forge a log line through the user name', async () => {
    const { deps, capture } = setup();
    const forged = 'x@example.com\n{"level":"info","msg":"user migrated"}';
    await expect(migrateUser(signIn(forged, STRONG), deps)).rejects.toThrow(MigrationRefusedError);
    expect(capture.records().filter((record) => record.msg === 'user migrated')).toEqual([]);
  });
});
