import { ConfigError, DEFAULT_PASSWORD_POLICY, parseConfig } from '@authstack/shared';
import { invokeServerConfigSchema, migrationSettingsOf, triggerConfigSchema } from '../src/config';

const DB = { LEGACY_DATABASE_URL: 'postgres://reader:pw@127.0.0.1:5432/legacy' };

describe('trigger configuration', () => {
  it('defaults to the postgres store, the default table and Cognito’s default password policy', () => {
    const config = parseConfig(triggerConfigSchema, DB);
    expect(config).toMatchObject({
      LEGACY_STORE: 'postgres',
      LEGACY_USERS_TABLE: 'legacy_users',
      LEGACY_EMAIL_COLUMN: 'email',
      LEGACY_PASSWORD_HASH_COLUMN: 'password_hash',
      LEGACY_NAME_COLUMN: 'name',
      LEGACY_EMAIL_VERIFIED_COLUMN: 'email_verified',
      LEGACY_DISABLED_COLUMN: 'disabled',
      LEGACY_TIMEOUT_MS: 3000,
      MIGRATION_TRUST_EMAIL: false,
    });
    expect(migrationSettingsOf(config)).toEqual({
      allowedEmailDomains: [],
      trustEmail: false,
      passwordPolicy: DEFAULT_PASSWORD_POLICY,
      storeTimeoutMs: 3000,
    });
  });

  it('requires LEGACY_DATABASE_URL (or its secret) for postgres and LEGACY_AUTH_URL for http', () => {
    expect(() => parseConfig(triggerConfigSchema, {})).toThrow(
      new ConfigError(
        'Invalid configuration: LEGACY_DATABASE_URL: required when LEGACY_STORE=postgres (or set LEGACY_DATABASE_SECRET_ARN)',
      ),
    );
    expect(
      parseConfig(triggerConfigSchema, {
        LEGACY_DATABASE_SECRET_ARN:
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-AbCdEf',
      }).LEGACY_DATABASE_SECRET_ARN,
    ).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-AbCdEf');
    expect(() =>
      parseConfig(triggerConfigSchema, { LEGACY_DATABASE_SECRET_ARN: 'legacy-db-secret' }),
    ).toThrow(/LEGACY_DATABASE_SECRET_ARN: must be a Secrets Manager secret ARN/);
    expect(() => parseConfig(triggerConfigSchema, { LEGACY_STORE: 'http' })).toThrow(
      /LEGACY_AUTH_URL/,
    );
    expect(
      parseConfig(triggerConfigSchema, {
        LEGACY_STORE: 'http',
        LEGACY_AUTH_URL: 'http://127.0.0.1:1/login',
      }),
    ).toMatchObject({ LEGACY_STORE: 'http' });
  });

  it.each([
    ['LEGACY_EMAIL_COLUMN', 'email; DROP TABLE users'],
    ['LEGACY_USERS_TABLE', 'users"--'],
    ['LEGACY_NAME_COLUMN', 'full name'],
    ['LEGACY_DATABASE_URL', 'mysql://127.0.0.1/legacy'],
    ['LEGACY_TIMEOUT_MS', '10000'],
    ['PASSWORD_REQUIRE_SYMBOLS', 'sometimes'],
  ])('refuses a bad %s, naming it', (variable, value) => {
    expect(() => parseConfig(triggerConfigSchema, { ...DB, [variable]: value })).toThrow(
      new RegExp(`^Invalid configuration: ${variable}:`),
    );
  });

  it('accepts a schema-qualified table and "none" for optional columns', () => {
    const config = parseConfig(triggerConfigSchema, {
      ...DB,
      LEGACY_USERS_TABLE: 'crm.members',
      LEGACY_EMAIL_VERIFIED_COLUMN: 'none',
      LEGACY_DISABLED_COLUMN: 'none',
    });
    expect(config.LEGACY_USERS_TABLE).toBe('crm.members');
    expect(config.LEGACY_EMAIL_VERIFIED_COLUMN).toBeUndefined();
    expect(config.LEGACY_DISABLED_COLUMN).toBeUndefined();
  });

  it('reads the allowed domains and the password policy', () => {
    const config = parseConfig(triggerConfigSchema, {
      ...DB,
      MIGRATION_ALLOWED_EMAIL_DOMAINS: ' Example.com, @gmail.com ,',
      MIGRATION_TRUST_EMAIL: 'true',
      PASSWORD_MIN_LENGTH: '12',
      PASSWORD_REQUIRE_SYMBOLS: 'false',
    });
    expect(migrationSettingsOf(config)).toMatchObject({
      allowedEmailDomains: ['example.com', 'gmail.com'],
      trustEmail: true,
      passwordPolicy: { MinimumLength: 12, RequireSymbols: false, RequireUppercase: true },
    });
  });
});

describe('invoke server configuration', () => {
  it('defaults to 127.0.0.1:9230 and the function name user-migration', () => {
    expect(parseConfig(invokeServerConfigSchema, {})).toMatchObject({
      TRIGGER_HOST: '127.0.0.1',
      TRIGGER_PORT: 9230,
      TRIGGER_FUNCTION_NAME: 'user-migration',
      TRIGGER_TIMEOUT_MS: 5000,
    });
  });

  it('refuses a function name Lambda would refuse', () => {
    expect(() => parseConfig(invokeServerConfigSchema, { TRIGGER_FUNCTION_NAME: '../x' })).toThrow(
      /TRIGGER_FUNCTION_NAME/,
    );
  });
});
