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

  it('leaves revocation checks off without STATE_DATABASE_URL, fail-closed at 60 s by default', () => {
    expect(parseConfig(configSchema, base).revocations).toEqual({
      databaseUrl: undefined,
      maxStalenessMs: 60_000,
      failOpen: false,
      heartbeatMs: 1000,
    });
  });

  it('reads the state store URL, the staleness bound, fail-open and the heartbeat', () => {
    const url = 'postgres://authstack_state:secret@127.0.0.1:54330/authstack_state';
    const config = parseConfig(configSchema, {
      ...base,
      STATE_DATABASE_URL: url,
      REVOCATION_MAX_STALENESS_SECONDS: '3',
      REVOCATION_FAIL_OPEN: 'true',
      REVOCATION_HEARTBEAT_MS: '500',
    });
    expect(config.revocations).toEqual({
      databaseUrl: url,
      maxStalenessMs: 3000,
      failOpen: true,
      heartbeatMs: 500,
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
    [{ STATE_DATABASE_URL: 'mysql://db/state' }, 'STATE_DATABASE_URL'],
    [{ REVOCATION_MAX_STALENESS_SECONDS: '0' }, 'REVOCATION_MAX_STALENESS_SECONDS'],
    [{ REVOCATION_MAX_STALENESS_SECONDS: '1.5' }, 'REVOCATION_MAX_STALENESS_SECONDS'],
    [{ REVOCATION_FAIL_OPEN: 'maybe' }, 'REVOCATION_FAIL_OPEN'],
    [{ REVOCATION_MAX_STALENESS_SECONDS: '1' }, 'REVOCATION_HEARTBEAT_MS'],
    [{ REVOCATION_HEARTBEAT_MS: '50' }, 'REVOCATION_HEARTBEAT_MS'],
  ])('refuses %o naming %s', (overrides, variable) => {
    expect(() => parseConfig(configSchema, { ...base, ...overrides })).toThrow(
      new RegExp(`^Invalid configuration: ${variable}: `),
    );
  });

  it('never puts the state store password in the error', () => {
    expect(() =>
      parseConfig(configSchema, { ...base, STATE_DATABASE_URL: 'postgres:// secret-pw' }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-pw') }));
  });

  it('refuses a missing pool id', () => {
    expect(() => parseConfig(configSchema, { USER_POOL_CLIENT_ID: 'c' })).toThrow('USER_POOL_ID');
  });
});
