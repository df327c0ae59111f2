import type { ClientBase, Pool } from 'pg';

/**
 * One revocation. `user`: every token of the user (`subject` = sub) issued before
 * `notBefore`. `session`: every token of one sign-in (`subject` = origin_jti).
 * `group`: the claim of membership of `group` in tokens of the user (`subject` = sub)
 * issued before `notBefore`. Times are seconds since the epoch, like `iat`.
 */
export interface Revocation {
  kind: 'user' | 'session' | 'group';
  subject: string;
  /** The group of a `group` revocation; '' otherwise. */
  group: string;
  notBefore: number;
  /** No token the revocation can match is still valid after this; then it is dropped. */
  expiresAt: number;
}

/** What the check needs of a verified token. */
export interface RevocableToken {
  sub: string;
  /** `origin_jti`: shared by every token of one sign-in and its refreshes. */
  originJti: string | null;
  /** `iat`, seconds. */
  issuedAt: number;
}

interface Entry {
  notBefore: number;
  expiresAt: number;
}

function merge(map: Map<string, Entry>, key: string, notBefore: number, expiresAt: number): void {
  const entry = map.get(key);
  if (entry === undefined) {
    map.set(key, { notBefore, expiresAt });
    return;
  }
  if (notBefore > entry.notBefore) entry.notBefore = notBefore;
  if (expiresAt > entry.expiresAt) entry.expiresAt = expiresAt;
}

function pruneMap(map: Map<string, Entry>, nowSeconds: number): void {
  for (const [key, entry] of map) if (entry.expiresAt <= nowSeconds) map.delete(key);
}

/**
 * The live revocations, in memory: what a resource-server consults on every request.
 * Entries only ever merge (the later `notBefore` wins) or expire, so applying the same
 * revocation twice, or a reload after notifications, leaves the same list.
 */
export class RevocationList {
  readonly #users = new Map<string, Entry>();
  readonly #sessions = new Map<string, Entry>();
  /** `sub` → group → entry. */
  readonly #groups = new Map<string, Map<string, Entry>>();

  apply(revocation: Revocation): void {
    const { kind, subject, group, notBefore, expiresAt } = revocation;
    if (kind === 'user') merge(this.#users, subject, notBefore, expiresAt);
    else if (kind === 'session') merge(this.#sessions, subject, notBefore, expiresAt);
    else {
      let groups = this.#groups.get(subject);
      if (groups === undefined) {
        groups = new Map();
        this.#groups.set(subject, groups);
      }
      merge(groups, group, notBefore, expiresAt);
    }
  }

  /** True when a sign-out, password change, disable or delete has revoked this token. */
  isRevoked(token: RevocableToken): boolean {
    const user = this.#users.get(token.sub);
    if (user !== undefined && token.issuedAt < user.notBefore) return true;
    return token.originJti !== null && this.#sessions.has(token.originJti);
  }

  /**
   * The token's groups less those the user was removed from after the token was issued.
   * Returns `groups` itself when nothing is taken away.
   */
  currentGroups(token: RevocableToken, groups: readonly string[]): readonly string[] {
    if (groups.length === 0) return groups;
    const removed = this.#groups.get(token.sub);
    if (removed === undefined) return groups;
    const kept = groups.filter((group) => {
      const entry = removed.get(group);
      return entry === undefined || token.issuedAt >= entry.notBefore;
    });
    return kept.length === groups.length ? groups : kept;
  }

  /** Drops every revocation that can no longer match a valid token. */
  prune(nowSeconds: number): void {
    pruneMap(this.#users, nowSeconds);
    pruneMap(this.#sessions, nowSeconds);
    for (const [sub, groups] of this.#groups) {
      pruneMap(groups, nowSeconds);
      if (groups.size === 0) this.#groups.delete(sub);
    }
  }

  get size(): number {
    let groups = 0;
    for (const entries of this.#groups.values()) groups += entries.size;
    return this.#users.size + this.#sessions.size + groups;
  }
}

export interface RevocationStoreOptions {
  pool: Pool;
  /**
   * The longest lifetime of an ID or access token in the pool (Cognito allows up to one
   * day). A revocation is kept this long, plus `clockSkewSeconds`, after it is recorded.
   */
  maxTokenLifetimeSeconds: number;
  /** What verifiers tolerate on `exp` (the resource-server's CLOCK_SKEW_SECONDS, at most 300). */
  clockSkewSeconds?: number;
  clock?: () => number;
}

const UPSERT = `
  INSERT INTO revocations (kind, subject, group_name, not_before, expires_at)
  VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (kind, subject, group_name) DO UPDATE SET
    not_before = GREATEST(revocations.not_before, EXCLUDED.not_before),
    expires_at = GREATEST(revocations.expires_at, EXCLUDED.expires_at),
    recorded_at = now()`;

/**
 * Records revocations in the shared state store; every resource-server hears of each one
 * at commit (LISTEN/NOTIFY). A revocation covers tokens issued up to and including the
 * second it is recorded in (`iat` has one-second granularity), so `notBefore` is the next
 * second: a token issued in the same second as a sign-out is refused too. Sign-in takes
 * care that the tokens it hands out are issued after the user's `notBefore`.
 */
export class RevocationStore {
  readonly #pool: Pool;
  readonly #retentionSeconds: number;
  readonly #clock: () => number;

  constructor(options: RevocationStoreOptions) {
    this.#pool = options.pool;
    this.#retentionSeconds = options.maxTokenLifetimeSeconds + (options.clockSkewSeconds ?? 300);
    this.#clock = options.clock ?? Date.now;
  }

  /** Every token of the user issued up to now. Resolves once committed; returns `notBefore`. */
  revokeUser(sub: string): Promise<number> {
    return this.#record('user', sub, '');
  }

  /** Every token of one sign-in and its refreshes (`origin_jti`). */
  revokeSession(originJti: string): Promise<number> {
    return this.#record('session', originJti, '');
  }

  /** The claim of membership of `group` in the user's tokens issued up to now. */
  revokeGroup(sub: string, group: string): Promise<number> {
    return this.#record('group', sub, group);
  }

  /** The user's `notBefore` (seconds), if a revocation of every token of theirs is live. */
  async userNotBefore(sub: string): Promise<number | undefined> {
    const { rows } = await this.#pool.query<{ not_before: string }>(
      `SELECT not_before FROM revocations
        WHERE kind = 'user' AND subject = $1 AND group_name = '' AND expires_at > $2`,
      [sub, this.#nowSeconds()],
    );
    return rows[0] ? Number(rows[0].not_before) : undefined;
  }

  /** Deletes revocations that can no longer match a valid token; returns how many. */
  async prune(): Promise<number> {
    const { rowCount } = await this.#pool.query('DELETE FROM revocations WHERE expires_at <= $1', [
      this.#nowSeconds(),
    ]);
    return rowCount ?? 0;
  }

  #nowSeconds(): number {
    return Math.floor(this.#clock() / 1000);
  }

  async #record(kind: Revocation['kind'], subject: string, group: string): Promise<number> {
    const notBefore = this.#nowSeconds() + 1;
    await this.#pool.query(UPSERT, [
      kind,
      subject,
      group,
      notBefore,
      notBefore + this.#retentionSeconds,
    ]);
    return notBefore;
  }
}

const LOAD_BATCH = 5_000;
const LOAD_PAGE = `
  SELECT kind, subject, group_name, not_before::float8, expires_at::float8 FROM revocations
   WHERE expires_at > $1 AND (kind, subject, group_name) > ($2, $3, $4)
   ORDER BY kind, subject, group_name
   LIMIT ${LOAD_BATCH}`;

type PageRow = [Revocation['kind'], string, string, number, number];

/**
 * Hands every live revocation to `apply` (a full reload), a page at a time in primary-key
 * order, so that a store of 100 000 revocations never sits in memory twice. Returns how many.
 */
export async function loadRevocations(
  db: Pool | ClientBase,
  nowSeconds: number,
  apply: (revocation: Revocation) => void,
): Promise<number> {
  let after: [string, string, string] = ['', '', ''];
  let loaded = 0;
  for (;;) {
    const { rows } = await db.query<PageRow>({
      text: LOAD_PAGE,
      values: [nowSeconds, ...after],
      rowMode: 'array',
    });
    for (const [kind, subject, group, notBefore, expiresAt] of rows) {
      apply({ kind, subject, group, notBefore, expiresAt });
    }
    loaded += rows.length;
    const last = rows.at(-1);
    if (last === undefined || rows.length < LOAD_BATCH) return loaded;
    after = [last[0], last[1], last[2]];
  }
}

const KINDS = new Set(['user', 'session', 'group']);

/** A NOTIFY payload (`[kind, subject, group, notBefore, expiresAt]`), or undefined if malformed. */
export function parseRevocationNotice(payload: string | undefined): Revocation | undefined {
  if (payload === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 5) return undefined;
  const [kind, subject, group, notBefore, expiresAt] = value as unknown[];
  if (
    typeof kind !== 'string' ||
    !KINDS.has(kind) ||
    typeof subject !== 'string' ||
    typeof group !== 'string' ||
    typeof notBefore !== 'number' ||
    typeof expiresAt !== 'number'
  ) {
    return undefined;
  }
  return { kind: kind as Revocation['kind'], subject, group, notBefore, expiresAt };
}
