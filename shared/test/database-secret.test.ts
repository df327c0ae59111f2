import { databaseUrlFromSecret } from '../src/database-secret';

const rdsSecret = JSON.stringify({
  engine: 'postgres',
  host: 'state.abc123.eu-west-1.rds.amazonaws.com',
  port: 5432,
  username: 'authstack',
  password: 'p@ss/word:1',
  dbname: 'authstack_state',
  dbInstanceIdentifier: 'authstack-state',
});

describe('databaseUrlFromSecret', () => {
  it('takes a postgres URL as it is', () => {
    expect(
      databaseUrlFromSecret(' postgres://reader:pw@db:5432/legacy\n', { name: 'legacy database' }),
    ).toBe('postgres://reader:pw@db:5432/legacy');
  });

  it('builds the URL from the JSON credentials RDS writes, escaping the password', () => {
    expect(databaseUrlFromSecret(rdsSecret, { name: 'state store' })).toBe(
      'postgres://authstack:p%40ss%2Fword%3A1@state.abc123.eu-west-1.rds.amazonaws.com:5432/authstack_state',
    );
  });

  it('adds the parameters it is given (TLS verified against a CA file)', () => {
    const url = new URL(
      databaseUrlFromSecret(rdsSecret, {
        name: 'state store',
        parameters: { sslmode: 'verify-full', sslrootcert: '/var/runtime/ca-cert.pem' },
      }),
    );
    expect({
      user: url.username,
      password: decodeURIComponent(url.password),
      host: url.hostname,
      database: url.pathname,
      parameters: Object.fromEntries(url.searchParams),
    }).toEqual({
      user: 'authstack',
      password: 'p@ss/word:1',
      host: 'state.abc123.eu-west-1.rds.amazonaws.com',
      database: '/authstack_state',
      parameters: { sslmode: 'verify-full', sslrootcert: '/var/runtime/ca-cert.pem' },
    });
  });

  it('keeps a parameter the secret already sets', () => {
    expect(
      databaseUrlFromSecret('postgres://u:p@db/x?sslmode=disable', {
        name: 'state store',
        parameters: { sslmode: 'verify-full' },
      }),
    ).toBe('postgres://u:p@db/x?sslmode=disable');
  });

  it('refuses anything else, naming the database and quoting none of the secret', () => {
    expect(() =>
      databaseUrlFromSecret('mysql://root:hunter2@db/x', { name: 'state store' }),
    ).toThrow(/^the state store secret is neither a postgres:\/\/ URL nor JSON credentials$/);
    expect(() =>
      databaseUrlFromSecret('{"host":"db","password":"hunter2"}', { name: 'legacy database' }),
    ).toThrow(/^the legacy database secret lacks host, username or password$/);
  });
});
