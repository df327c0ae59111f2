import { isEmail } from '@authstack/shared';
import { aliasExists, invalidParameter, userNotFound } from '../protocol/errors';
import type { NewUser, UserChanges } from '../storage/store';
import type { PoolContext } from './context';
import { caseInsensitive, emailIsAlias, emailIsUsername } from './pools';
import type { PoolRecord, UserRecord, UserStatus } from './types';

/**
 * Cognito's standard attributes (besides `sub`, which only Cognito sets), in the order
 * GetCSVHeader lists them.
 */
export const STANDARD_ATTRIBUTE_NAMES: readonly string[] = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
];
export const STANDARD_ATTRIBUTES: ReadonlySet<string> = new Set(STANDARD_ATTRIBUTE_NAMES);

/** Attributes only an administrator (or Cognito itself) may set. */
const ADMIN_ONLY_ATTRIBUTES = new Set(['email_verified', 'phone_number_verified']);

export interface AttributeInput {
  Name: string;
  Value?: string | undefined;
}

/**
 * Checks attributes against the pool's schema and returns them as a map.
 * `byAdmin` allows the `*_verified` flags, which users cannot set themselves.
 */
export function readAttributes(
  pool: PoolRecord,
  input: readonly AttributeInput[] | undefined,
  byAdmin: boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { Name: name, Value: value = '' } of input ?? []) {
    const custom = name.startsWith('custom:');
    const known = custom
      ? pool.settings.CustomAttributes.includes(name.slice('custom:'.length))
      : STANDARD_ATTRIBUTES.has(name);
    if (!known || (!byAdmin && ADMIN_ONLY_ATTRIBUTES.has(name))) {
      throw invalidParameter(
        name === 'sub'
          ? 'Attributes did not conform to the schema: sub: Attribute cannot be updated.'
          : `Attributes did not conform to the schema: ${name}: Attribute does not exist in the schema.`,
      );
    }
    if (name === 'email' && !isEmail(value))
      throw invalidParameter('Invalid email address format.');
    if (name.endsWith('_verified') && value !== 'true' && value !== 'false') {
      throw invalidParameter(`Invalid value for ${name}: must be "true" or "false".`);
    }
    out[name] = value;
  }
  return out;
}

export function usernameKey(pool: PoolRecord, username: string): string {
  return caseInsensitive(pool) ? username.toLowerCase() : username;
}

/** The key under which a user's email is unique and can be signed in with, or null when it is not an alias. */
export function emailKey(pool: PoolRecord, attributes: Record<string, string>): string | null {
  const email = attributes.email;
  if (!email) return null;
  const normalised = caseInsensitive(pool) ? email.toLowerCase() : email;
  if (emailIsUsername(pool)) return normalised;
  if (emailIsAlias(pool) && attributes.email_verified === 'true') return normalised;
  return null;
}

/** The user a request names, by username or (where the pool allows it) email alias. */
export function findUser(
  context: PoolContext,
  pool: PoolRecord,
  name: string,
): UserRecord | undefined {
  const byName = context.store.userByUsernameKey(pool.id, usernameKey(pool, name));
  if (byName || !(emailIsUsername(pool) || emailIsAlias(pool)) || !name.includes('@')) {
    return byName;
  }
  return context.store.userByEmailKey(pool.id, caseInsensitive(pool) ? name.toLowerCase() : name);
}

export function requireUser(context: PoolContext, pool: PoolRecord, name: string): UserRecord {
  const user = findUser(context, pool, name);
  if (!user) throw userNotFound('User does not exist.');
  return user;
}

/**
 * A new user for the store. `username` is the name the request gave; where the pool's
 * email is the username, Cognito makes the `sub` the username (the email stays an attribute).
 */
export function newUser(
  pool: PoolRecord,
  fields: {
    username: string;
    sub: string;
    status: UserStatus;
    passwordHash: string | null;
    attributes: Record<string, string>;
    now: number;
    temporaryPasswordExpiresAt?: number | null;
  },
): NewUser {
  const attributes = { sub: fields.sub, ...fields.attributes };
  const username = emailIsUsername(pool) ? fields.sub : fields.username;
  return {
    poolId: pool.id,
    username,
    usernameKey: usernameKey(pool, username),
    emailKey: emailKey(pool, attributes),
    sub: fields.sub,
    status: fields.status,
    enabled: true,
    passwordHash: fields.passwordHash,
    attributes,
    createdAt: fields.now,
    temporaryPasswordExpiresAt: fields.temporaryPasswordExpiresAt ?? null,
  };
}

/**
 * Merges attribute updates into a user. A changed email is no longer verified
 * unless the same update says otherwise (as Cognito does).
 */
export function mergeAttributes(
  pool: PoolRecord,
  user: UserRecord,
  updates: Record<string, string>,
): { attributes: Record<string, string>; emailKey: string | null } {
  const merged = { ...user.attributes, ...updates };
  if (
    updates.email !== undefined &&
    updates.email !== user.attributes.email &&
    updates.email_verified === undefined
  ) {
    merged.email_verified = 'false';
  }
  // An empty value removes the attribute.
  const attributes = Object.fromEntries(
    Object.entries(merged).filter(([name, value]) => value !== '' || name === 'sub'),
  );
  return { attributes, emailKey: emailKey(pool, attributes) };
}

const ALIAS_EXISTS = 'An account with the given email already exists.';

/**
 * Makes `key` (an `emailKey`) free for the user `ownerId` (undefined: a user about to be
 * created). Taken by another user: AliasExistsException, unless `moveAlias` (Cognito's
 * ForceAliasCreation, in an email-alias pool): the other user then keeps the email but
 * unverified, so it no longer signs them in. Call inside the store transaction that saves
 * the owner.
 */
export function claimEmailKey(
  context: PoolContext,
  pool: PoolRecord,
  key: string | null,
  ownerId: number | undefined,
  moveAlias = false,
): void {
  if (key === null) return;
  const holder = context.store.userByEmailKey(pool.id, key);
  if (!holder || holder.id === ownerId) return;
  if (!moveAlias || !emailIsAlias(pool)) throw aliasExists(ALIAS_EXISTS);
  context.store.updateUser(
    holder,
    { attributes: { ...holder.attributes, email_verified: 'false' }, emailKey: null },
    context.clock(),
  );
}

/**
 * Saves changes to a user whose attributes change: the email lookup key follows them (an
 * alias email counts once verified), claimed with `claimEmailKey`.
 */
export function saveUserAttributes(
  context: PoolContext,
  pool: PoolRecord,
  user: UserRecord,
  changes: Omit<UserChanges, 'emailKey'> & { attributes: Record<string, string> },
  moveAlias = false,
): UserRecord {
  const key = emailKey(pool, changes.attributes);
  claimEmailKey(context, pool, key, user.id, moveAlias);
  return context.store.updateUser(user, { ...changes, emailKey: key }, context.clock());
}

/** Stores `mergeAttributes`' result; an email another user signs in with is AliasExistsException. */
export function updateAttributes(
  context: PoolContext,
  pool: PoolRecord,
  user: UserRecord,
  updates: Record<string, string>,
): UserRecord {
  const { attributes } = mergeAttributes(pool, user, updates);
  return saveUserAttributes(context, pool, user, { attributes });
}

const seconds = (ms: number): number => ms / 1000;

export function attributeList(user: UserRecord, only?: readonly string[]) {
  return Object.entries(user.attributes)
    .filter(([name]) => !only || only.includes(name))
    .map(([Name, Value]) => ({ Name, Value }));
}

/** Cognito's `UserType` (ListUsers, AdminCreateUser). */
export function toUserType(user: UserRecord, only?: readonly string[]) {
  return {
    Username: user.username,
    Attributes: attributeList(user, only),
    UserCreateDate: seconds(user.createdAt),
    UserLastModifiedDate: seconds(user.updatedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

/** `a***@e***`: how Cognito shows where a code went. */
export function maskDestination(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
}
