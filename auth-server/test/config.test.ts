import { ConfigError } from '@authstack/shared';
import { appSettingsFrom, parseAuthServerConfig } from '../src/config';

const REQUIRED = {
  AWS_REGION: 'us-east-1',
  USER_POOL_ID: 'us-east-1_Ab12Cd',
  USER_POOL_CLIENT_ID: 'abc123client',
};

describe('auth-server config', () => {
  it('has the documented defaults', () => {
    const config = parseAuthServerConfig(REQUIRED);
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 3000,
      STAGE: 'v1',
      SIGNUP_CONFIRMATION: 'auto',
      MFA_MODE: 'optional',
      MFA_ISSUER: 'authstack',
      TRUST_PROXY: 0,
      UPSTREAM_TIMEOUT_MS: 3000,
      LOG_LEVEL: 'info',
    });
    expect(config.COGNITO_ENDPOINT).toBeUndefined();
    expect(config.USER_POOL_CLIENT_SECRET).toBeUndefined();
    expect(appSettingsFrom(config).rateLimits).toEqual({
      windowMs: 900_000,
      signInFailuresPerEmail: 5,
      signInFailuresPerIp: 20,
      accountRequestsPerIp: 20,
      mfaFailuresPerSession: 3,
      mfaFailuresPerUser: 5,
    });
    expect(appSettingsFrom(config).mfa).toEqual({ mode: 'optional', issuer: 'authstack' });
  });

  it.each([
    ['USER_POOL_ID', { USER_POOL_ID: undefined }],
    ['AWS_REGION', { AWS_REGION: 'US East' }],
    ['SIGNUP_CONFIRMATION', { SIGNUP_CONFIRMATION: 'email' }],
    ['MFA_MODE', { MFA_MODE: 'on' }],
    ['MFA_ISSUER', { MFA_ISSUER: 'Auth:Stack' }],
    ['MFA_MAX_FAILURES_PER_USER', { MFA_MAX_FAILURES_PER_USER: '-1' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'true' }],
    ['COGNITO_ENDPOINT', { COGNITO_ENDPOINT: 'ftp://pool' }],
    ['STAGE', { STAGE: '../admin' }],
  ])('names %s when its value is bad', (variable, override) => {
    expect(() => parseAuthServerConfig({ ...REQUIRED, ...override })).toThrow(ConfigError);
    expect(() => parseAuthServerConfig({ ...REQUIRED, ...override })).toThrow(
      new RegExp(`^Invalid configuration: ${variable}:`),
    );
  });
});
