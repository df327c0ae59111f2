/**
 * Cognito's user import CSV ("Formatting the .csv file"): a header line with the pool's
 * columns as GetCSVHeader lists them, then one user per line; values are not quoted, and a
 * comma inside a value is written `\,`. The local pool reads these files, the import CLI
 * writes them.
 */

/** Cognito's limits on one import job's file. */
export const IMPORT_CSV_MAX_BYTES = 100 * 1024 * 1024;
export const IMPORT_CSV_MAX_USERS = 500_000;

/** A value as one field: line breaks become spaces, commas are escaped, edges trimmed. */
export function importCsvField(value: string): string {
  return (
    value
      .replace(/[\r\n]+/g, ' ')
      // A trailing backslash would escape the comma that ends the field.
      .replace(/[\s\\]+$/, '')
      .trim()
      .replaceAll(',', '\\,')
  );
}

/** One user as a line (with its `\n`) under `header`; columns without a value stay empty. */
export function importCsvLine(
  header: readonly string[],
  values: Readonly<Record<string, string>>,
): string {
  return `${header.map((column) => importCsvField(values[column] ?? '')).join(',')}\n`;
}

/** Splits one line into its values (`\,` is a comma inside a value; other backslashes stay). */
export function splitImportCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (char === '\\' && line[i + 1] === ',') {
      current += ',';
      i += 1;
    } else if (char === ',') {
      fields.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  fields.push(current);
  return fields;
}
