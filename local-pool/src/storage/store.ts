import type Database from 'better-sqlite3';
import type {
  ClientRecord,
  ClientSettings,
  CodeKind,
  GroupRecord,
  MessageKind,
  OutboxMessage,
  PoolRecord,
  PoolSettings,
  RefreshTokenRecord,
  SessionRecord,
  SoftwareTokenRecord,
  StoredSession,
  UserRecord,
  UserStatus,
} from '../domain/types';
import { ImportJobStore } from './import-job-store';

interface PoolRow {
  id: string;
  name: string;
  created_at: number;
  updated_at: number;
  settings: string;
}
interface ClientRow {
  id: string;
  pool_id: string;
  name: string;
  secret: string | null;
  created_at: number;
  updated_at: number;
  settings: string;
}
interface UserRow {
  id: number;
  pool_id: string;
  username: string;
  sub: string;
  status: string;
  enabled: number;
  password_hash: string | null;
  attributes: string;
  created_at: number;
  updated_at: number;
  temporary_password_expires_at: number | null;
}
interface GroupRow {
  pool_id: string;
  name: string;
  description: string | null;
  precedence: number | null;
  role_arn: string | null;
  created_at: number;
  updated_at: number;
}
interface SessionRow {
  user_id: number;
  client_id: string;
  challenge: string;
  expires_at: number;
  used_at: number | null;
}
interface SoftwareTokenRow {
  user_id: number;
  secret: string | null;
  friendly_device_name: string | null;
  pending_secret: string | null;
  enabled: number;
  preferred: number;
  last_used_step: number | null;
  updated_at: number;
}
interface RefreshRow {
  user_id: number;
  client_id: string;
  origin_jti: string;
  auth_time: number;
  expires_at: number;
  revoked_at: number | null;
}

const toPool = (row: PoolRow): PoolRecord => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  settings: JSON.parse(row.settings) as PoolSettings,
});
const toClient = (row: ClientRow): ClientRecord => ({
  id: row.id,
  poolId: row.pool_id,
  name: row.name,
  secret: row.secret,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  settings: JSON.parse(row.settings) as ClientSettings,
});
const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  poolId: row.pool_id,
  username: row.username,
  sub: row.sub,
  status: row.status as UserStatus,
  enabled: row.enabled === 1,
  passwordHash: row.password_hash,
  attributes: JSON.parse(row.attributes) as Record<string, string>,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  temporaryPasswordExpiresAt: row.temporary_password_expires_at,
});
const toGroup = (row: GroupRow): GroupRecord => ({
  poolId: row.pool_id,
  name: row.name,
  description: row.description,
  precedence: row.precedence,
  roleArn: row.role_arn,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const OUTBOX_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** A new user as the domain hands it to the store, with its lookup keys already normalised. */
export interface NewUser extends Omit<UserRecord, 'id' | 'updatedAt'> {
  usernameKey: string;
  emailKey: string | null;
}

export interface UserChanges {
  status?: UserStatus;
  enabled?: boolean;
  passwordHash?: string | null;
  attributes?: Record<string, string>;
  emailKey?: string | null;
  temporaryPasswordExpiresAt?: number | null;
}

/** One condition of a ListUsers filter, already mapped to what it compares. */
export interface UserFilter {
  target: { column: 'username_key' | 'sub' | 'status' | 'enabled' } | { attribute: string };
  prefix: boolean;
  value: string;
  ignoreCase: boolean;
}

/** Thrown by the store when an insert or update breaks a unique index; `index` names it. */
export class UniqueViolation extends Error {
  constructor(readonly index: string) {
    super(`unique constraint ${index}`);
  }
}

function uniqueIndexOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || (error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE')
    return undefined;
  if (error.message.includes('users.email_key')) return 'email';
  if (error.message.includes('users.username_key')) return 'username';
  if (error.message.includes('users.sub')) return 'sub';
  return 'other';
}

function rethrowUnique(error: unknown): never {
  const index = uniqueIndexOf(error);
  if (index) throw new UniqueViolation(index);
  throw error;
}

/**
 * Every read and write of the local pool's state, as prepared statements over one
 * SQLite connection. Calls are synchronous; `transaction` groups them so each
 * operation commits (and is fsynced) once.
 */
export class PoolStore {
  readonly #db: Database.Database;
  readonly #s;
  /** ListUsers statements by their SQL (one per filter shape), prepared once. */
  readonly #listUsers = new Map<string, Database.Statement>();
  /** User import jobs (CreateUserImportJob …), on the same connection and transactions. */
  readonly importJobs: ImportJobStore;

  constructor(db: Database.Database) {
    this.#db = db;
    this.importJobs = new ImportJobStore(db);
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      insertPool: p(
        'INSERT INTO pools (id, name, created_at, updated_at, settings) VALUES (?, ?, ?, ?, ?)',
      ),
      getPool: p('SELECT * FROM pools WHERE id = ?'),
      listPools: p('SELECT * FROM pools WHERE id > ? ORDER BY id LIMIT ?'),
      updatePool: p('UPDATE pools SET settings = ?, updated_at = ? WHERE id = ?'),
      countUsers: p('SELECT count(*) AS n FROM users WHERE pool_id = ?'),
      insertClient: p(
        'INSERT INTO clients (id, pool_id, name, secret, created_at, updated_at, settings) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      getClient: p('SELECT * FROM clients WHERE id = ?'),
      listClients: p('SELECT * FROM clients WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?'),
      insertUser: p(
        `INSERT INTO users (pool_id, username, username_key, email_key, sub, status, enabled, password_hash,
           attributes, created_at, updated_at, temporary_password_expires_at)
         VALUES (@poolId, @username, @usernameKey, @emailKey, @sub, @status, @enabled, @passwordHash,
           @attributes, @createdAt, @createdAt, @temporaryPasswordExpiresAt)`,
      ),
      userById: p('SELECT * FROM users WHERE id = ?'),
      userByUsernameKey: p('SELECT * FROM users WHERE pool_id = ? AND username_key = ?'),
      userByEmailKey: p('SELECT * FROM users WHERE pool_id = ? AND email_key = ?'),
      userBySub: p('SELECT * FROM users WHERE pool_id = ? AND sub = ?'),
      updateUser: p(
        `UPDATE users SET status = @status, enabled = @enabled, password_hash = @passwordHash,
           attributes = @attributes,
           email_key = CASE WHEN @keepEmailKey THEN email_key ELSE @emailKey END,
           temporary_password_expires_at = @temporaryPasswordExpiresAt, updated_at = @updatedAt
         WHERE id = @id`,
      ),
      deleteUser: p('DELETE FROM users WHERE id = ?'),
      insertGroup: p(
        'INSERT INTO groups (pool_id, name, description, precedence, role_arn, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      getGroup: p('SELECT * FROM groups WHERE pool_id = ? AND name = ?'),
      listGroups: p('SELECT * FROM groups WHERE pool_id = ? AND name > ? ORDER BY name LIMIT ?'),
      addMember: p(
        'INSERT OR IGNORE INTO memberships (user_id, pool_id, group_name) VALUES (?, ?, ?)',
      ),
      removeMember: p('DELETE FROM memberships WHERE user_id = ? AND group_name = ?'),
      groupsOfUser: p(
        `SELECT g.* FROM groups g JOIN memberships m ON m.pool_id = g.pool_id AND m.group_name = g.name
         WHERE m.user_id = ? AND g.name > ? ORDER BY g.name LIMIT ?`,
      ),
      groupNamesOfUser: p(
        `SELECT g.name FROM groups g JOIN memberships m ON m.pool_id = g.pool_id AND m.group_name = g.name
         WHERE m.user_id = ? ORDER BY g.precedence IS NULL, g.precedence, g.name`,
      ),
      putCode: p(
        'INSERT OR REPLACE INTO codes (user_id, kind, code, expires_at) VALUES (?, ?, ?, ?)',
      ),
      getCode: p('SELECT code, expires_at FROM codes WHERE user_id = ? AND kind = ?'),
      deleteCode: p('DELETE FROM codes WHERE user_id = ? AND kind = ?'),
      addMessage: p(
        'INSERT INTO messages (pool_id, to_address, to_key, kind, code, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      listMessages: p(
        'SELECT to_address, kind, code, created_at FROM messages WHERE to_key = ? ORDER BY id DESC LIMIT 100',
      ),
      insertRefresh: p(
        `INSERT INTO refresh_tokens (token_hash, user_id, client_id, origin_jti, auth_time, expires_at, prune_after)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      refreshByHash: p('SELECT * FROM refresh_tokens WHERE token_hash = ?'),
      refreshByOrigin: p('SELECT * FROM refresh_tokens WHERE origin_jti = ?'),
      extendPrune: p(
        'UPDATE refresh_tokens SET prune_after = max(prune_after, ?) WHERE origin_jti = ?',
      ),
      revokeRefresh: p(
        'UPDATE refresh_tokens SET revoked_at = ? WHERE origin_jti = ? AND revoked_at IS NULL',
      ),
      revokeAllOfUser: p(
        'UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
      ),
      pruneRefresh: p('DELETE FROM refresh_tokens WHERE prune_after < ?'),
      insertSession: p(
        'INSERT INTO sessions (session_hash, user_id, client_id, challenge, expires_at) VALUES (?, ?, ?, ?, ?)',
      ),
      getSession: p('SELECT * FROM sessions WHERE session_hash = ?'),
      markSessionUsed: p(
        'UPDATE sessions SET used_at = ? WHERE session_hash = ? AND used_at IS NULL',
      ),
      getSoftwareToken: p('SELECT * FROM software_tokens WHERE user_id = ?'),
      putSoftwareToken: p(
        `INSERT INTO software_tokens (user_id, secret, friendly_device_name, pending_secret, enabled,
           preferred, last_used_step, updated_at)
         VALUES (@userId, @secret, @friendlyDeviceName, @pendingSecret, @enabled, @preferred,
           @lastUsedStep, @updatedAt)
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret,
           friendly_device_name = excluded.friendly_device_name, pending_secret = excluded.pending_secret,
           enabled = excluded.enabled, preferred = excluded.preferred,
           last_used_step = excluded.last_used_step, updated_at = excluded.updated_at`,
      ),
      pruneSessions: p('DELETE FROM sessions WHERE expires_at < ?'),
      pruneMessages: p('DELETE FROM messages WHERE created_at < ?'),
    };
  }

  /** Runs `work` in one transaction (BEGIN IMMEDIATE); the commit is durable when it returns. */
  transaction<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }

  close(): void {
    this.#db.close();
  }

  // pools
  insertPool(pool: PoolRecord): void {
    this.#s.insertPool.run(
      pool.id,
      pool.name,
      pool.createdAt,
      pool.updatedAt,
      JSON.stringify(pool.settings),
    );
  }
  getPool(id: string): PoolRecord | undefined {
    const row = this.#s.getPool.get(id) as PoolRow | undefined;
    return row && toPool(row);
  }
  listPools(afterId: string, limit: number): PoolRecord[] {
    return (this.#s.listPools.all(afterId, limit) as PoolRow[]).map(toPool);
  }
  updatePoolSettings(id: string, settings: PoolSettings, now: number): void {
    this.#s.updatePool.run(JSON.stringify(settings), now, id);
  }
  countUsers(poolId: string): number {
    return (this.#s.countUsers.get(poolId) as { n: number }).n;
  }

  // clients
  insertClient(client: ClientRecord): void {
    this.#s.insertClient.run(
      client.id,
      client.poolId,
      client.name,
      client.secret,
      client.createdAt,
      client.updatedAt,
      JSON.stringify(client.settings),
    );
  }
  getClient(id: string): ClientRecord | undefined {
    const row = this.#s.getClient.get(id) as ClientRow | undefined;
    return row && toClient(row);
  }
  listClients(poolId: string, afterId: string, limit: number): ClientRecord[] {
    return (this.#s.listClients.all(poolId, afterId, limit) as ClientRow[]).map(toClient);
  }

  // users
  insertUser(user: NewUser): UserRecord {
    try {
      const { lastInsertRowid } = this.#s.insertUser.run({
        ...user,
        enabled: user.enabled ? 1 : 0,
        attributes: JSON.stringify(user.attributes),
      });
      return this.userById(Number(lastInsertRowid)) as UserRecord;
    } catch (error) {
      rethrowUnique(error);
    }
  }
  userById(id: number): UserRecord | undefined {
    const row = this.#s.userById.get(id) as UserRow | undefined;
    return row && toUser(row);
  }
  userByUsernameKey(poolId: string, key: string): UserRecord | undefined {
    const row = this.#s.userByUsernameKey.get(poolId, key) as UserRow | undefined;
    return row && toUser(row);
  }
  userByEmailKey(poolId: string, key: string): UserRecord | undefined {
    const row = this.#s.userByEmailKey.get(poolId, key) as UserRow | undefined;
    return row && toUser(row);
  }
  userBySub(poolId: string, sub: string): UserRecord | undefined {
    const row = this.#s.userBySub.get(poolId, sub) as UserRow | undefined;
    return row && toUser(row);
  }
  /** Applies `changes`; what they leave out (`emailKey` included) keeps its stored value. */
  updateUser(user: UserRecord, changes: UserChanges, now: number): UserRecord {
    const next: UserRecord = {
      ...user,
      status: changes.status ?? user.status,
      enabled: changes.enabled ?? user.enabled,
      passwordHash: changes.passwordHash !== undefined ? changes.passwordHash : user.passwordHash,
      attributes: changes.attributes ?? user.attributes,
      temporaryPasswordExpiresAt:
        changes.temporaryPasswordExpiresAt !== undefined
          ? changes.temporaryPasswordExpiresAt
          : user.temporaryPasswordExpiresAt,
      updatedAt: now,
    };
    try {
      this.#s.updateUser.run({
        id: user.id,
        status: next.status,
        enabled: next.enabled ? 1 : 0,
        passwordHash: next.passwordHash,
        attributes: JSON.stringify(next.attributes),
        keepEmailKey: changes.emailKey === undefined ? 1 : 0,
        emailKey: changes.emailKey ?? null,
        temporaryPasswordExpiresAt: next.temporaryPasswordExpiresAt,
        updatedAt: now,
      });
    } catch (error) {
      rethrowUnique(error);
    }
    return next;
  }
  deleteUser(id: number): void {
    this.#s.deleteUser.run(id);
  }
  /** Users of a pool matching `filter`, in creation order, after row id `afterId`. */
  listUsers(
    poolId: string,
    filter: UserFilter | undefined,
    afterId: number,
    limit: number,
  ): UserRecord[] {
    const params: unknown[] = [poolId, afterId];
    let condition = '';
    if (filter) {
      const target =
        'column' in filter.target
          ? filter.target.column
          : `json_extract(attributes, '$."' || ? || '"')`;
      if ('attribute' in filter.target) params.push(filter.target.attribute);
      const subject = filter.ignoreCase ? `lower(${target})` : target;
      const value = filter.ignoreCase ? filter.value.toLowerCase() : filter.value;
      if (filter.prefix) {
        condition = `AND substr(${subject}, 1, ?) = ?`;
        params.push([...value].length, value);
      } else {
        condition = `AND ${subject} = ?`;
        params.push(value);
      }
    }
    params.push(limit);
    const sql = `SELECT * FROM users WHERE pool_id = ? AND id > ? ${condition} ORDER BY id LIMIT ?`;
    let statement = this.#listUsers.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#listUsers.set(sql, statement);
    }
    const rows = statement.all(...params) as UserRow[];
    return rows.map(toUser);
  }

  // groups
  insertGroup(group: GroupRecord): boolean {
    try {
      this.#s.insertGroup.run(
        group.poolId,
        group.name,
        group.description,
        group.precedence,
        group.roleArn,
        group.createdAt,
        group.updatedAt,
      );
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
      throw error;
    }
  }
  getGroup(poolId: string, name: string): GroupRecord | undefined {
    const row = this.#s.getGroup.get(poolId, name) as GroupRow | undefined;
    return row && toGroup(row);
  }
  listGroups(poolId: string, afterName: string, limit: number): GroupRecord[] {
    return (this.#s.listGroups.all(poolId, afterName, limit) as GroupRow[]).map(toGroup);
  }
  addMember(user: UserRecord, groupName: string): void {
    this.#s.addMember.run(user.id, user.poolId, groupName);
  }
  removeMember(user: UserRecord, groupName: string): void {
    this.#s.removeMember.run(user.id, groupName);
  }
  groupsOfUser(userId: number, afterName: string, limit: number): GroupRecord[] {
    return (this.#s.groupsOfUser.all(userId, afterName, limit) as GroupRow[]).map(toGroup);
  }
  /** Group names in Cognito's token order: by precedence, then name. */
  groupNamesOfUser(userId: number): string[] {
    return (this.#s.groupNamesOfUser.all(userId) as { name: string }[]).map((row) => row.name);
  }

  // one-time codes and the local outbox
  putCode(userId: number, kind: CodeKind, code: string, expiresAt: number): void {
    this.#s.putCode.run(userId, kind, code, expiresAt);
  }
  getCode(userId: number, kind: CodeKind): { code: string; expiresAt: number } | undefined {
    const row = this.#s.getCode.get(userId, kind) as
      { code: string; expires_at: number } | undefined;
    return row && { code: row.code, expiresAt: row.expires_at };
  }
  deleteCode(userId: number, kind: CodeKind): void {
    this.#s.deleteCode.run(userId, kind);
  }
  addMessage(poolId: string, to: string, kind: MessageKind, code: string, now: number): void {
    this.#s.addMessage.run(poolId, to, to.toLowerCase(), kind, code, now);
  }
  listMessages(to: string): OutboxMessage[] {
    const rows = this.#s.listMessages.all(to.toLowerCase()) as {
      to_address: string;
      kind: MessageKind;
      code: string;
      created_at: number;
    }[];
    return rows.map((row) => ({
      to: row.to_address,
      kind: row.kind,
      code: row.code,
      createdAt: new Date(row.created_at).toISOString(),
    }));
  }

  // refresh tokens and challenge sessions
  insertRefreshToken(tokenHash: string, token: RefreshTokenRecord, pruneAfter: number): void {
    this.#s.insertRefresh.run(
      tokenHash,
      token.userId,
      token.clientId,
      token.originJti,
      token.authTime,
      token.expiresAt,
      pruneAfter,
    );
  }
  refreshTokenByHash(tokenHash: string): RefreshTokenRecord | undefined {
    const row = this.#s.refreshByHash.get(tokenHash) as RefreshRow | undefined;
    return row && toRefresh(row);
  }
  refreshTokenByOrigin(originJti: string): RefreshTokenRecord | undefined {
    const row = this.#s.refreshByOrigin.get(originJti) as RefreshRow | undefined;
    return row && toRefresh(row);
  }
  /** Keeps a refresh token's row at least until `until`, when the access tokens issued from it have expired. */
  extendRefreshTokenRetention(originJti: string, until: number): void {
    this.#s.extendPrune.run(until, originJti);
  }
  revokeRefreshToken(originJti: string, now: number): void {
    this.#s.revokeRefresh.run(now, originJti);
  }
  revokeAllRefreshTokens(userId: number, now: number): void {
    this.#s.revokeAllOfUser.run(now, userId);
  }
  insertSession(sessionHash: string, session: SessionRecord): void {
    this.#s.insertSession.run(
      sessionHash,
      session.userId,
      session.clientId,
      session.challenge,
      session.expiresAt,
    );
  }
  getSession(sessionHash: string): StoredSession | undefined {
    const row = this.#s.getSession.get(sessionHash) as SessionRow | undefined;
    return (
      row && {
        userId: row.user_id,
        clientId: row.client_id,
        challenge: row.challenge,
        expiresAt: row.expires_at,
        usedAt: row.used_at,
      }
    );
  }
  /** Marks a session answered; it is kept (so a second use can be told apart) until it expires. */
  markSessionUsed(sessionHash: string, now: number): void {
    this.#s.markSessionUsed.run(now, sessionHash);
  }

  // TOTP software tokens
  softwareToken(userId: number): SoftwareTokenRecord | undefined {
    const row = this.#s.getSoftwareToken.get(userId) as SoftwareTokenRow | undefined;
    return (
      row && {
        userId: row.user_id,
        secret: row.secret,
        friendlyDeviceName: row.friendly_device_name,
        pendingSecret: row.pending_secret,
        enabled: row.enabled === 1,
        preferred: row.preferred === 1,
        lastUsedStep: row.last_used_step,
        updatedAt: row.updated_at,
      }
    );
  }
  putSoftwareToken(token: SoftwareTokenRecord): void {
    this.#s.putSoftwareToken.run({
      ...token,
      enabled: token.enabled ? 1 : 0,
      preferred: token.preferred ? 1 : 0,
    });
  }
  /**
   * Deletes expired refresh tokens (once no access token issued from them can still be
   * valid), expired challenge sessions, and outbox messages older than a week.
   */
  prune(now: number): number {
    return this.transaction(
      () =>
        this.#s.pruneRefresh.run(now).changes +
        this.#s.pruneSessions.run(now).changes +
        this.#s.pruneMessages.run(now - OUTBOX_RETENTION_MS).changes,
    );
  }
}

function toRefresh(row: RefreshRow): RefreshTokenRecord {
  return {
    userId: row.user_id,
    clientId: row.client_id,
    originJti: row.origin_jti,
    authTime: row.auth_time,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}
