import { invalidParameter } from '../protocol/errors';
import type { UserFilter } from '../storage/store';
import { caseInsensitive } from './pools';
import type { PoolRecord } from './types';

/** Attributes ListUsers can filter on (Cognito's list), and what each compares. */
const SEARCHABLE: Readonly<Record<string, UserFilter['target']>> = {
  username: { column: 'username_key' },
  sub: { column: 'sub' },
  'cognito:user_status': { column: 'status' },
  status: { column: 'enabled' },
  email: { attribute: 'email' },
  phone_number: { attribute: 'phone_number' },
  name: { attribute: 'name' },
  given_name: { attribute: 'given_name' },
  family_name: { attribute: 'family_name' },
  preferred_username: { attribute: 'preferred_username' },
};

const FILTER = /^\s*"?([\w:]+)"?\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/**
 * Parses a ListUsers filter: `attribute = "value"` (exact) or `attribute ^= "value"`
 * (prefix); an empty string means no filter. `status` takes "Enabled" or "Disabled".
 */
export function parseUserFilter(
  pool: PoolRecord,
  filter: string | undefined,
): UserFilter | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  const match = FILTER.exec(filter);
  const target = match && SEARCHABLE[match[1] ?? ''];
  if (!match || !target) throw invalidParameter('Error while parsing filter.');
  const name = match[1] ?? '';
  let value = (match[3] ?? '').replace(/\\(.)/g, '$1');
  if (name === 'status') {
    if (value !== 'Enabled' && value !== 'Disabled')
      throw invalidParameter('Error while parsing filter.');
    value = value === 'Enabled' ? '1' : '0';
  }
  const ignoreCase = caseInsensitive(pool) && (name === 'username' || name === 'email');
  return { target, prefix: match[2] === '^=', value, ignoreCase };
}
