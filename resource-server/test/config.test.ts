import { parseConfig } from '@authstack/shared';
import { configSchema } from '../src/config';

const base = { USER_POOL_ID: 'eu-west-1_AbC123xyz', USER_POOL_CLIENT_ID: 'client1' };

describe('configSchema', () => {
  it('derives the Cognito issuer and JWKS URL from the pool id, with safe defaults', () => {
    const config = parseConfig(configSchema, base);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 4000, stage: 'v1', logLevel: 'info' });
    expect(config.auth).toEqual({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz',
      jwksUrl:
        'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123xyz/.well-known/jwks.json',
      allowInsecureJwks: false,
      clientIds: ['client1'],
      acceptedTokenUse: 'both',
      clockSkewSeconds: 30,
      tokenCacheMax: 10_000,
      tokenCacheTtlSeconds: 300,
      jwksRefetchIntervalSeconds: 30,
      jwksMaxAgeSeconds: 300,
      jwksStaleIfErrorSeconds: 3600,
      jwksTimeoutMs: 3000,
    });
  });

  it('points at the local pool through COGNITO_ENDPOINT when http is explicitly allowed', () => {
    const config = parseConfig(configSchema, {
      ...base,
      USER_POOL_ID: 'us-east-1_LocalPool1',
      USER_POOL_CLIENT_ID: 'a, b',
      COGNITO_ENDPOINT: 'http://127.0.0.1:9229/',
      ALLOW_INSECURE_JWKS: 'true',
    });
    expect(config.auth.issuer).toBe('http://127.0.0.1:9229/us-east-1_LocalPool1');
    expect(config.auth.jwksUrl).toBe(
      'http://127.0.0.1:9229/us-east-1_LocalPool1/.well-known/jwks.json',
    );
    expect(config.auth.clientIds).toEqual(['a', 'b']);
  });

  it('takes TOKEN_ISSUER and JWKS_URL as given', () => {
    const config = parseConfig(configSchema, {
      ...base,
      TOKEN_ISSUER: 'http://127.0.0.1:9229/us-east-1_X',
      JWKS_URL: 'http://local-pool:9229/us-east-1_X/.well-known/jwks.json',
      ALLOW_INSECURE_JWKS: '1',
    });
    expect(config.auth.issuer).toBe('http://127.0.0.1:9229/us-east-1_X');
    expect(config.auth.jwksUrl).toBe('http://local-pool:9229/us-east-1_X/.well-known/jwks.json');
  });

  it.each([
    [{ COGNITO_ENDPOINT: 'http://127.0.0.1:9229' }, 'JWKS_URL'],
    [{ USER_POOL_ID: 'local_abc' }, 'USER_POOL_ID'],
    [{ USER_POOL_CLIENT_ID: ' , ' }, 'USER_POOL_CLIENT_ID'],
    [{ ACCEPTED_TOKEN_USE: 'refresh' }, 'ACCEPTED_TOKEN_USE'],
    [{ CLOCK_SKEW_SECONDS: '3600' }, 'CLOCK_SKEW_SECONDS'],
    [{ JWKS_REFETCH_INTERVAL_SECONDS: '600' }, 'JWKS_REFETCH_INTERVAL_SECONDS'],
    [{ JWKS_URL: 'ftp://example.com/jwks.json' }, 'JWKS_URL'],
  ])('refuses %o naming %s', (overrides, variable) => {
    expect(() => parseConfig(configSchema, { ...base, ...overrides })).toThrow(
      new RegExp(`^Invalid configuration: ${variable}: `),
    );
  });

  it('refuses a missing pool id', () => {
    expect(() => parseConfig(configSchema, { USER_POOL_CLIENT_ID: 'c' })).toThrow('USER_POOL_ID');
  });
});
