import { escapeIdentifier } from 'pg';

/** A plain, unquoted SQL identifier: what configuration may name a table or column. */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** `table` or `schema.table`. */
export const SQL_QUALIFIED_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;

/**
 * Quotes a configured table or column name for SQL after checking it is a plain
 * identifier (optionally `schema.table`). Names never reach SQL any other way.
 */
export function quoteIdentifier(name: string, { qualified = false } = {}): string {
  const pattern = qualified ? SQL_QUALIFIED_NAME : SQL_IDENTIFIER;
  if (!pattern.test(name)) throw new Error(`Not a plain SQL identifier: ${JSON.stringify(name)}`);
  return name.split('.').map(escapeIdentifier).join('.');
}
