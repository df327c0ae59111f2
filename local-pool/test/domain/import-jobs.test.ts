import { csvHeaderOf, parseImportCsv } from '@authstack/local-pool/domain/import-jobs';
import { defaultPoolSettings } from '@authstack/local-pool/domain/pools';
import type { PoolRecord } from '@authstack/local-pool/domain/types';

const pool = (customAttributes: string[] = []): PoolRecord => ({
  id: 'us-east-1_Abcdefghi',
  name: 'p',
  createdAt: 0,
  updatedAt: 0,
  settings: { ...defaultPoolSettings(), CustomAttributes: customAttributes },
});

describe('csvHeaderOf', () => {
  it('puts custom attributes after the standard ones, before cognito:mfa_enabled and cognito:username', () => {
    expect(csvHeaderOf(pool(['tenant'])).slice(-4)).toEqual([
      'updated_at',
      'custom:tenant',
      'cognito:mfa_enabled',
      'cognito:username',
    ]);
  });
});

describe('parseImportCsv', () => {
  const header = csvHeaderOf(pool());

  it('takes the columns in any order, with CRLF line ends and a final newline', () => {
    const reversed = [...header].reverse().join(',');
    const parsed = parseImportCsv(pool(), Buffer.from(`${reversed}\r\nrow1\r\nrow2\r\n`));
    expect(parsed).toEqual({ ok: true, header: [...header].reverse(), rows: ['row1', 'row2'] });
  });

  it('refuses a header with a missing or an unknown column, naming them', () => {
    const wrong = [...header.filter((column) => column !== 'email'), 'favourite_colour'].join(',');
    const parsed = parseImportCsv(pool(), Buffer.from(`${wrong}\n`));
    expect(parsed).toEqual({
      ok: false,
      message:
        "The CSV header does not match the user pool's (GetCSVHeader): missing columns: email; unknown columns: favourite_colour.",
    });
  });

  it('refuses a file of more than 500,000 users', () => {
    const csv = `${header.join(',')}\n${'x\n'.repeat(500_001)}`;
    const parsed = parseImportCsv(pool(), Buffer.from(csv));
    expect(parsed).toEqual({
      ok: false,
      message: 'The CSV file has 500001 users; a job takes at most 500000.',
    });
  });
});
