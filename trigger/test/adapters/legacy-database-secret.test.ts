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

  it('refuses anything else without quoting it', () => {
    expect(() => legacyDatabaseUrlFromSecret('mysql://root:hunter2@db/x')).toThrow(
      'neither a postgres:// URL nor JSON credentials',
    );
    expect(() => legacyDatabaseUrlFromSecret('{"host":"db"}')).toThrow(
      'lacks host, username or password',
    );
  });
});
