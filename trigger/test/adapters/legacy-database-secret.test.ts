import { legacyDatabaseUrlFromSecret } from '../../src/adapters/legacy-database-secret';

describe('legacyDatabaseUrlFromSecret', () => {
  it('takes a postgres URL as it is', () => {
    expect(legacyDatabaseUrlFromSecret(' postgres://reader:pw@db:5432/legacy\n')).toBe(
      'postgres://reader:pw@db:5432/legacy',
    );
  });

  it('builds the URL from RDS JSON credentials, escaping the password', () => {
    const secret = JSON.stringify({
      engine: 'postgres',
      host: 'legacy.cluster.example',
      port: 5433,
      username: 'reader',
      password: 'p@ss/word:1',
      dbname: 'legacy',
    });
    expect(legacyDatabaseUrlFromSecret(secret)).toBe(
      'postgres://reader:p%40ss%2Fword%3A1@legacy.cluster.example:5433/legacy',
    );
  });

  it('defaults to port 5432 and database postgres when the credentials name none', () => {
    const secret = JSON.stringify({ host: 'db', username: 'reader', password: 'pw' });
    expect(legacyDatabaseUrlFromSecret(secret)).toBe('postgres://reader:pw@db:5432/postgres');
  });

  it('refuses anything else, naming the legacy database and quoting nothing of the secret', () => {
    // An Error passed to toThrow compares the whole message.
    expect(() => legacyDatabaseUrlFromSecret('mysql://root:hunter2@db/x')).toThrow(
      new Error('the legacy database secret is neither a postgres:// URL nor JSON credentials'),
    );
    expect(() => legacyDatabaseUrlFromSecret('{"host":"db","password":"hunter2"}')).toThrow(
      new Error('the legacy database secret lacks host, username or password'),
    );
  });
});
