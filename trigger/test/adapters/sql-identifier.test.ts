import { quoteIdentifier } from '../../src/adapters/sql-identifier';
import { buildLookupQuery } from '../../src/adapters/postgres-legacy-user-source';

describe('quoteIdentifier', () => {
  it('quotes plain and schema-qualified names', () => {
    expect(quoteIdentifier('legacy_users')).toBe('"legacy_users"');
    expect(quoteIdentifier('crm.Members', { qualified: true })).toBe('"crm"."Members"');
  });

  it.each(['users"; DROP TABLE x; --', 'a b', '', '1abc', 'crm.members', 'x'.repeat(64)])(
    'refuses %j',
    (name) => {
      expect(() => quoteIdentifier(name)).toThrow(/Not a plain SQL identifier/);
    },
  );
});

describe('buildLookupQuery', () => {
  it('selects the configured columns with the email as the only parameter', () => {
    expect(
      buildLookupQuery({
        table: 'crm.members',
        emailColumn: 'mail',
        passwordHashColumn: 'pw',
        nameColumn: 'full_name',
      }),
    ).toBe(
      'SELECT "mail" AS email, "pw" AS password_hash, "full_name" AS name FROM "crm"."members" WHERE lower("mail") = $1 LIMIT 2',
    );
  });
});
