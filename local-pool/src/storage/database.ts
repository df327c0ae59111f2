import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

const SCHEMA = `
CREATE TABLE pools (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  settings TEXT NOT NULL
);
CREATE INDEX pools_by_name ON pools(name);

CREATE TABLE clients (
  id TEXT PRIMARY KEY,
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  secret TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  settings TEXT NOT NULL
);
CREATE INDEX clients_by_pool ON clients(pool_id);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  username TEXT NOT NULL,
  username_key TEXT NOT NULL,
  email_key TEXT,
  sub TEXT NOT NULL,
  status TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  password_hash TEXT,
  attributes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  temporary_password_expires_at INTEGER
);
CREATE UNIQUE INDEX users_by_username ON users(pool_id, username_key);
CREATE UNIQUE INDEX users_by_sub ON users(pool_id, sub);
CREATE UNIQUE INDEX users_by_email ON users(pool_id, email_key) WHERE email_key IS NOT NULL;

CREATE TABLE groups (
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  precedence INTEGER,
  role_arn TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (pool_id, name)
);

CREATE TABLE memberships (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  pool_id TEXT NOT NULL,
  group_name TEXT NOT NULL,
  PRIMARY KEY (user_id, group_name),
  FOREIGN KEY (pool_id, group_name) REFERENCES groups(pool_id, name) ON DELETE CASCADE
);

CREATE TABLE codes (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  code TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, kind)
);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  pool_id TEXT NOT NULL,
  to_address TEXT NOT NULL,
  to_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  code TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX messages_by_address ON messages(to_key, id);

CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  origin_jti TEXT NOT NULL UNIQUE,
  auth_time INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  prune_after INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens(user_id);
CREATE INDEX refresh_tokens_by_prune ON refresh_tokens(prune_after);

CREATE TABLE sessions (
  session_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  challenge TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

/**
 * Schema changes after version 1, in order: `UPGRADES[n - 2]` takes a database from
 * version n - 1 to n. A new database gets SCHEMA (version 1) and then every upgrade;
 * an older one gets the upgrades it lacks, each in the transaction that sets its version.
 */
const UPGRADES: readonly string[] = [
  // 2: TOTP software tokens (a verified secret, one waiting for VerifySoftwareToken, the
  // user's MFA preference and the last time step accepted) and used challenge sessions.
  `
CREATE TABLE software_tokens (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  secret TEXT,
  friendly_device_name TEXT,
  pending_secret TEXT,
  enabled INTEGER NOT NULL DEFAULT 0,
  preferred INTEGER NOT NULL DEFAULT 0,
  last_used_step INTEGER,
  updated_at INTEGER NOT NULL
);
ALTER TABLE sessions ADD COLUMN used_at INTEGER;
`,
  // 3: user import jobs (CreateUserImportJob …), the CSV uploaded to each, and the lines
  // a job skipped or failed (what Cognito writes to the job's CloudWatch log stream).
  `
CREATE TABLE import_jobs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  role_arn TEXT NOT NULL,
  upload_token TEXT NOT NULL UNIQUE,
  pre_signed_url TEXT NOT NULL,
  upload_expires_at INTEGER NOT NULL,
  csv BLOB,
  uploaded INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  completed_at INTEGER,
  imported INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  next_line INTEGER NOT NULL DEFAULT 0,
  completion_message TEXT
);
CREATE INDEX import_jobs_by_pool ON import_jobs(pool_id, seq);
CREATE TABLE import_job_events (
  job_id TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (job_id, line)
);
`,
];

const SCHEMA_VERSION = 1 + UPGRADES.length;

/**
 * Opens (creating if needed) the pool's SQLite database under `dataDir`.
 * WAL with synchronous=FULL: a commit is fsynced before better-sqlite3 returns,
 * so every write acknowledged to a client survives SIGKILL or power loss. A database
 * written by an older local pool is upgraded in place (see UPGRADES).
 */
export function openDatabase(dataDir: string): Database.Database {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'pool.sqlite');
  const db = new Database(file);
  fs.chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new Error(
      `${file} has schema version ${version}; this local pool knows versions up to ${SCHEMA_VERSION}. Delete the data directory to reset it.`,
    );
  }
  if (version === 0) {
    db.transaction(() => {
      db.exec(SCHEMA);
      db.pragma('user_version = 1');
    })();
  }
  for (let next = Math.max(version, 1) + 1; next <= SCHEMA_VERSION; next += 1) {
    db.transaction(() => {
      db.exec(UPGRADES[next - 2] ?? '');
      db.pragma(`user_version = ${next}`);
    })();
  }
  return db;
}
