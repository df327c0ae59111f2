/** What replaces every query value in a span. */
export const REDACTED = 'REDACTED';

/**
 * A query string (without `?`) with every value replaced by `REDACTED` and the names kept:
 * a span shows which parameters came, never a code or a token in one. The HTTP
 * instrumentation's own redaction knows only a fixed list of names (AWS and Google signatures).
 */
export function redactQueryValues(query: string): string {
  const redacted = new URLSearchParams();
  for (const name of new URLSearchParams(query).keys()) redacted.append(name, REDACTED);
  return redacted.toString();
}

/** The path of a request target, without its query string. */
export function pathOf(target: string): string {
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}
