import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '@authstack/local-pool/storage/database';

const tables = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
    .map((row) => row.name)
    .sort();

const columns = (db: Database.Database, table: string): string[] =>
  (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name);

describe('openDatabase', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-pool-db-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the newest schema in a new data directory', () => {
    const db = openDatabase(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(tables(db)).toContain('software_tokens');
    expect(tables(db)).toEqual(expect.arrayContaining(['import_jobs', 'import_job_events']));
    expect(columns(db, 'sessions')).toContain('used_at');
    db.close();
  });

  it('upgrades a version 1 database in place and keeps its rows', () => {
    const created = openDatabase(dir);
    created.exec(
      'DROP TABLE import_job_events; DROP TABLE import_jobs; DROP TABLE software_tokens; ALTER TABLE sessions DROP COLUMN used_at;',
    );
    created.pragma('user_version = 1');
    created
      .prepare(
        'INSERT INTO pools (id, name, created_at, updated_at, settings) VALUES (?, ?, 0, 0, ?)',
      )
      .run('us-east-1_Abcdefghi', 'kept', '{}');
    created.close();

    const upgraded = openDatabase(dir);
    expect(upgraded.pragma('user_version', { simple: true })).toBe(3);
    expect(tables(upgraded)).toContain('software_tokens');
    expect(tables(upgraded)).toContain('import_jobs');
    expect(columns(upgraded, 'sessions')).toContain('used_at');
    expect(upgraded.prepare('SELECT name FROM pools').all()).toEqual([{ name: 'kept' }]);
    upgraded.close();
  });

  it('refuses a database written by a newer local pool', () => {
    const created = openDatabase(dir);
    created.pragma('user_version = 99');
    created.close();
    expect(() => openDatabase(dir)).toThrow(/schema version 99/);
  });
});
