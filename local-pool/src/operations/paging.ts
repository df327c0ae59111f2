import { invalidParameter } from '../protocol/errors';

/** An opaque pagination token around the last key of the previous page. */
export function encodePageToken(after: string | number): string {
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
