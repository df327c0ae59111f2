import type { z } from 'zod';
import { ValidationError } from '../errors';

function describePath(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.');
}

/**
 * Parses `input` with `schema` or throws a 400 `ValidationError` whose message
 * names the offending field, e.g. `email: Invalid email address`.
 * A body that is not a JSON object is reported as such.
 */
export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = 'body',
): z.infer<S> {
  if (what === 'body' && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new ValidationError('The request body must be a JSON object.', 'body');
  }
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? describePath(issue.path) : what;
  if (issue?.code === 'unrecognized_keys') {
    const plural = issue.keys.length > 1 ? 's' : '';
    throw new ValidationError(`Unknown field${plural}: ${issue.keys.join(', ')}`, issue.keys[0]);
  }
  const message =
    issue?.code === 'invalid_type' && issue.input === undefined
      ? 'Required'
      : (issue?.message ?? 'Invalid value');
  throw new ValidationError(`${field}: ${message}`, field);
}
