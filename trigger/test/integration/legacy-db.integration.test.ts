import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startProcess } from '@authstack/shared/testing';
import { LEGACY_DB, startLegacyDatabase, type LegacyDatabase } from '../../src/testing';

function records(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('local legacy database (dist/local/legacy-db.js)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'legacy-db-restart-'));
  let first: LegacyDatabase;
  let second: LegacyDatabase | undefined;

  beforeAll(async () => {
    first = await startLegacyDatabase({ dataDir });
  });
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('initialises, seeds the demo users and says where it listens, without a password', () => {
    expect(records(first.process.stdoutLines())).toContainEqual(
      expect.objectContaining({
        msg: 'legacy database ready',
        host: '127.0.0.1',
        port: first.port,
        database: 'legacy',
        user: 'legacy_reader',
        url: `postgres://legacy_reader@127.0.0.1:${first.port}/legacy`,
        initialised: true,
        seededUsers: 9,
      }),
    );
  });

  it('stops Postgres cleanly on SIGTERM, exiting 0', async () => {
    const admin = new Client({ connectionString: first.adminUrl });
    await admin.connect();
    await admin.query(
      `INSERT INTO legacy_users (email, password_hash, name) VALUES ('added@example.com', '$1$x$y', 'Added Later')`,
    );
    await admin.end();
    await first.stop();
    expect(await first.process.exited).toBe(0);
    expect(records(first.process.stdoutLines())).toContainEqual(
      expect.objectContaining({ msg: 'legacy database stopped' }),
    );
  });

  it('keeps its data across restarts and seeds nothing twice', async () => {
    second = await startLegacyDatabase({ dataDir });
    expect(records(second.process.stdoutLines())).toContainEqual(
      expect.objectContaining({ msg: 'legacy database ready', initialised: false, seededUsers: 0 }),
    );
    const reader = new Client({ connectionString: second.url });
    await reader.connect();
    const { rows } = await reader.query<{ email: string }>('SELECT email FROM legacy_users');
    await reader.end();
    expect(rows).toHaveLength(10);
    expect(rows.map((row) => row.email)).toEqual(
      expect.arrayContaining(['legacy@example.com', 'added@example.com']),
    );
  });

  it('exits 1 with a JSON line saying why when it cannot start (its directory and port in use)', async () => {
    const running = second;
    if (!running) throw new Error('the restarted database is not running');
    const clash = await startProcess({
      script: path.resolve(__dirname, '../../dist/local/legacy-db.js'),
      env: { LEGACY_DB_PORT: String(running.port), LEGACY_DB_DIR: dataDir },
    });
    expect(await clash.exited).toBe(1);
    expect(records(clash.stdoutLines())).toContainEqual(
      expect.objectContaining({ level: 'fatal', msg: 'legacy database failed to start' }),
    );
    // The running database is untouched.
    const reader = new Client({ connectionString: running.url });
    await reader.connect();
    await expect(reader.query('SELECT 1')).resolves.toMatchObject({ rowCount: 1 });
    await reader.end();
  });

  it('writes only JSON lines, none holding a password', () => {
    const output = first.process.output() + (second?.process.output() ?? '');
    for (const line of output.split('\n').filter((text) => text.length > 0)) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
    expect(output).not.toContain(LEGACY_DB.admin.password);
    expect(output).not.toContain(LEGACY_DB.reader.password);
    expect(output).not.toContain('Legacy-Passw0rd!');
  });
});
