import { App } from 'aws-cdk-lib';
import { configSchema as authServerConfig } from '@authstack/auth-server/config';
import { MFA_MODES as LOCAL_MFA_MODES } from '../../scripts/stack/bootstrap';
import {
  DEFAULT_SETTINGS,
  MFA_MODES,
  SIGNUP_CONFIRMATIONS,
  settingsFromContext,
} from '../lib/settings';

const settingsFor = (context: Record<string, unknown>) =>
  settingsFromContext(new App({ context }).node);

describe('settingsFromContext', () => {
  it('uses the defaults when the context says nothing', () => {
    expect(settingsFor({})).toEqual({
      ...DEFAULT_SETTINGS,
      legacyDatabaseSecretArn: undefined,
      certificateArn: undefined,
      domainName: undefined,
    });
  });

  it('reads the domain name a certificate is for, in lower case', () => {
    expect(
      settingsFor({
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
        domainName: 'Auth.Example.com',
      }),
    ).toMatchObject({
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
      domainName: 'auth.example.com',
    });
    expect(settingsFor({ domainName: 'auth.example.com' }).domainName).toBe('auth.example.com');
  });

  it('deploys with code confirmation and optional TOTP MFA unless told otherwise', () => {
    expect(settingsFor({})).toMatchObject({ signupConfirmation: 'code', mfaMode: 'optional' });
  });

  it('reads -c values, which arrive as strings', () => {
    expect(
      settingsFor({
        stage: 'prod',
        clientSecret: 'true',
        desiredCount: '3',
        maxCount: '6',
        migrationAllowedEmailDomains: 'example.com, example.org',
        signupConfirmation: 'auto',
        mfaMode: 'required',
        stateDatabaseInstanceType: 'm7g.large',
        stateDatabaseMultiAz: 'true',
      }),
    ).toMatchObject({
      stage: 'prod',
      clientSecret: true,
      desiredCount: 3,
      maxCount: 6,
      migrationAllowedEmailDomains: ['example.com', 'example.org'],
      signupConfirmation: 'auto',
      mfaMode: 'required',
      stateDatabaseInstanceType: 'm7g.large',
      stateDatabaseMultiAz: true,
    });
  });

  it.each(MFA_MODES)('reads mfaMode=%s', (mfaMode) => {
    expect(settingsFor({ mfaMode }).mfaMode).toBe(mfaMode);
  });

  it.each([
    [{ stage: 'v1/../x' }, /context stage/],
    [{ clientSecret: 'yes' }, /context clientSecret: expected true or false/],
    [{ desiredCount: '0' }, /context desiredCount: expected a positive integer/],
    [{ desiredCount: '3', maxCount: '2' }, /context maxCount/],
    [
      { signupConfirmation: 'email' },
      'context signupConfirmation: expected auto or code, got email',
    ],
    [{ mfaMode: 'on' }, 'context mfaMode: expected off, optional or required, got on'],
    [{ mfaMode: 'OPTIONAL' }, 'context mfaMode: expected off, optional or required, got OPTIONAL'],
    [{ stage: { nested: true } }, /context stage: expected a string/],
    [{ stateDatabaseInstanceType: 'db.t4g.small' }, /context stateDatabaseInstanceType/],
    [{ stateDatabaseMultiAz: 'yes' }, /context stateDatabaseMultiAz: expected true or false/],
    [
      { certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' },
      'context domainName: required with certificateArn (the host name the certificate is for, pointing at the load balancer)',
    ],
    [
      { domainName: 'https://auth.example.com' },
      'context domainName: expected a host name such as api.example.com, got https://auth.example.com',
    ],
    [{ domainName: 'localhost' }, /context domainName: expected a host name/],
  ])('refuses %j naming the key', (context, message) => {
    expect(() => settingsFor(context)).toThrow(message);
  });
});

describe('the values a deployment may choose', () => {
  it('are MFA modes and sign-up confirmations the auth-server accepts', () => {
    for (const mode of MFA_MODES)
      expect({ mode, accepted: authServerConfig.shape.MFA_MODE.safeParse(mode).success }).toEqual({
        mode,
        accepted: true,
      });
    for (const confirmation of SIGNUP_CONFIRMATIONS)
      expect({
        confirmation,
        accepted: authServerConfig.shape.SIGNUP_CONFIRMATION.safeParse(confirmation).success,
      }).toEqual({ confirmation, accepted: true });
  });

  it('are the MFA modes of npm start and compose', () => {
    expect([...MFA_MODES]).toEqual([...LOCAL_MFA_MODES]);
  });
});
