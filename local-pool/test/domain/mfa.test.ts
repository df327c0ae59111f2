import {
  answerSoftwareTokenMfa,
  associateSoftwareToken,
  completeSignIn,
  setMfaPreference,
  verifySoftwareToken,
} from '@authstack/local-pool/domain/mfa';
import type {
  ClientRecord,
  PoolRecord,
  UserPoolMfa,
  UserRecord,
} from '@authstack/local-pool/domain/types';
import { newUser } from '@authstack/local-pool/domain/users';
import { domainFixture, type DomainFixture } from '../support/domain-context';
import { STEP_MS, totpCode } from '../../src/testing/totp-codes';

describe('TOTP MFA in sign-in', () => {
  let fixture: DomainFixture;
  let client: ClientRecord;
  let user: UserRecord;

  const poolWith = (mode: UserPoolMfa): PoolRecord => ({
    ...fixture.pool,
    settings: {
      ...fixture.pool.settings,
      MfaConfiguration: mode,
      SoftwareTokenMfaConfiguration: { Enabled: mode !== 'OFF' },
    },
  });

  /** Associates and verifies an authenticator at the fixture's clock; returns its secret. */
  function enrol(turnOn: boolean): string {
    const pool = poolWith('OPTIONAL');
    const secret = associateSoftwareToken(fixture.context, pool, user);
    verifySoftwareToken(fixture.context, pool, user, {
      code: totpCode(secret, fixture.now.ms),
      friendlyDeviceName: undefined,
      turnOn: false,
    });
    if (turnOn) {
      setMfaPreference(fixture.context, user, { SoftwareTokenMfaSettings: { Enabled: true } });
    }
    return secret;
  }

  beforeEach(() => {
    fixture = domainFixture();
    fixture.now.ms += 10_000;
    client = {
      id: 'abcdefghijklmnopqrstuvwxyz',
      poolId: fixture.pool.id,
      name: 'c',
      secret: null,
      createdAt: fixture.now.ms,
      updatedAt: fixture.now.ms,
      settings: {
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        RefreshTokenValidity: 30,
        AuthSessionValidity: 3,
      },
    };
    fixture.context.store.insertClient(client);
    user = fixture.context.store.insertUser(
      newUser(fixture.pool, {
        username: 'u@example.com',
        sub: 'sub-1',
        status: 'CONFIRMED',
        passwordHash: null,
        attributes: { email: 'u@example.com', email_verified: 'true' },
        now: fixture.now.ms,
      }),
    );
  });

  afterEach(() => fixture.close());

  const stepOf = (mode: UserPoolMfa) =>
    completeSignIn(fixture.context, poolWith(mode), client, user).ChallengeName ?? 'tokens';

  it('asks for what the pool and the user call for', () => {
    expect(stepOf('OFF')).toBe('tokens');
    expect(stepOf('OPTIONAL')).toBe('tokens');
    expect(stepOf('ON')).toBe('MFA_SETUP');
    enrol(false);
    expect(stepOf('OPTIONAL')).toBe('tokens');
    expect(stepOf('ON')).toBe('SOFTWARE_TOKEN_MFA');
    setMfaPreference(fixture.context, user, { SoftwareTokenMfaSettings: { Enabled: true } });
    expect(stepOf('OFF')).toBe('tokens');
    expect(stepOf('OPTIONAL')).toBe('SOFTWARE_TOKEN_MFA');
  });

  it('takes a drifted code, refuses it a second time, and refuses any code after the session lifetime', () => {
    const secret = enrol(true);
    const pool = poolWith('OPTIONAL');
    const answer = (session: string | undefined, code: string) =>
      answerSoftwareTokenMfa(fixture.context, pool, client, {
        session: session ?? '',
        username: user.username,
        code,
      });

    fixture.now.ms += STEP_MS;
    const first = completeSignIn(fixture.context, pool, client, user);
    const late = totpCode(secret, fixture.now.ms - STEP_MS);
    expect(() => answer(first.Session, late)).toThrow(
      'Your software token has already been used once.',
    );
    const early = totpCode(secret, fixture.now.ms + STEP_MS);
    expect(answer(first.Session, early).AuthenticationResult?.AccessToken).toEqual(
      expect.any(String),
    );

    fixture.now.ms += 2 * STEP_MS;
    const second = completeSignIn(fixture.context, pool, client, user);
    fixture.now.ms += 3 * 60_000;
    expect(() => answer(second.Session, totpCode(secret, fixture.now.ms))).toThrow(
      'Invalid session for the user, session is expired.',
    );
  });

  it('logs no secret and no code', () => {
    const secret = enrol(true);
    fixture.now.ms += STEP_MS;
    const challenge = completeSignIn(fixture.context, poolWith('OPTIONAL'), client, user);
    const code = totpCode(secret, fixture.now.ms);
    answerSoftwareTokenMfa(fixture.context, poolWith('OPTIONAL'), client, {
      session: challenge.Session ?? '',
      username: user.username,
      code,
    });
    // Everything the pool wrote, less the numbers pino adds (a code could hide in a timestamp).
    const text = JSON.stringify(
      fixture.logs.records().map(({ time: _time, pid: _pid, ...record }) => record),
    );
    expect(fixture.logs.records().map((record) => record.msg)).toEqual(
      expect.arrayContaining([
        'software token MFA authenticator verified',
        'software token MFA preference set',
      ]),
    );
    expect(text).not.toContain(secret);
    expect(text).not.toContain(code);
    expect(text).not.toContain(challenge.Session ?? 'no session');
  });
});
