import { invalidParameter } from '../protocol/errors';

/** An opaque pagination token around the last key of the previous page. */
function encodePageToken(after: string | number): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url');
}

export function decodePageToken(token: string | undefined): string | number | undefined {
  if (token === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      after?: unknown;
    };
    if (typeof value.after === 'string' || typeof value.after === 'number') return value.after;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('Invalid pagination token.');
}

/**
 * One page of a listing read with `max + 1` rows: the first `max` rows and, when
 * there are more, the response member `tokenName` holding the next page's token.
 */
export function page<T>(
  rows: readonly T[],
  max: number,
  keyOf: (row: T) => string | number,
  tokenName: 'NextToken' | 'PaginationToken' = 'NextToken',
): { shown: T[]; next: Record<string, string> } {
  const shown = rows.slice(0, max);
  const last = shown[shown.length - 1];
  return {
    shown,
    next:
      rows.length > max && last !== undefined ? { [tokenName]: encodePageToken(keyOf(last)) } : {},
  };
}
