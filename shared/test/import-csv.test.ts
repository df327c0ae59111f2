import fc from 'fast-check';
import { importCsvField, importCsvLine, splitImportCsvLine } from '../src/import-csv';

describe('splitImportCsvLine', () => {
  it('splits on commas and reads a backslash-escaped comma as part of the value', () => {
    expect(splitImportCsvLine('a,Doe\\, Jane,,c')).toEqual(['a', 'Doe, Jane', '', 'c']);
  });

  it('keeps other backslashes and quotes as they are (Cognito values are not quoted)', () => {
    expect(splitImportCsvLine('a\\b,"q"')).toEqual(['a\\b', '"q"']);
  });
});

describe('importCsvLine', () => {
  it('writes the values in header order, escaping commas and leaving missing columns empty', () => {
    expect(
      importCsvLine(['name', 'email', 'phone_number', 'cognito:username'], {
        email: 'a@example.com',
        name: 'Doe, Jane',
        'cognito:username': 'a@example.com',
      }),
    ).toBe('Doe\\, Jane,a@example.com,,a@example.com\n');
  });

  it('puts line breaks and a trailing backslash out of a value, which would break the line or escape its comma', () => {
    expect(importCsvField(' two\r\nlines \\')).toBe('two lines');
  });

  it('reads back every value it writes (trimmed, line breaks as spaces)', () => {
    const value = fc.string({ unit: 'grapheme', maxLength: 30 });
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), (values) => {
        const header = values.map((_, i) => `c${i}`);
        const line = importCsvLine(
          header,
          Object.fromEntries(header.map((c, i) => [c, values[i] ?? ''])),
        );
        expect(line.endsWith('\n')).toBe(true);
        expect(splitImportCsvLine(line.slice(0, -1))).toEqual(
          values.map(importCsvField).map((field) => field.replaceAll('\\,', ',')),
        );
      }),
      { seed: 14, numRuns: 300 },
    );
  });
});
