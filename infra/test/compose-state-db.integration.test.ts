import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { parse } from 'yaml';
import { RevocationStore } from '@authstack/shared/state-store';
import { getFreePort, startProcess, type StartedProcess } from '@authstack/shared/testing';
import { REPO_ROOT } from '../lib/paths';

const run = promisify(execFile);

type Environment = Record<string, string>;
const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, { environment: Environment }> };

/**
 * What `docker compose up` does with the state store, without Docker: a blank Postgres set up
 * as the official image sets it up from state-db's environment, then the migrations run as a
 * server runs them at start (the built migrate command, `shared/migrations`), with the
 * STATE_DATABASE_URL compose gives the servers (host and port moved to this machine).
 */
describe('compose state-db, migrated and written with the servers’ STATE_DATABASE_URL', () => {
  const database = compose.services['state-db']?.environment as Environment;
  let dir: string;
  let postgres: StartedProcess;
  const urls: Record<string, string> = {};
  let pool: Pool;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'authstack-state-db-'));
    chmodSync(dir, 0o755);
    const port = await getFreePort();
    postgres = await startProcess({
      script: path.join(__dirname, 'support', 'blank-postgres.mjs'),
      env: { PGDATA: path.join(dir, 'data'), PGPORT: String(port), ...database },
      readyLine: /"msg":"postgres ready"/,
      readyTimeoutMs: 60_000,
    });
    for (const server of ['auth-server', 'resource-server'])
      urls[server] = (compose.services[server]?.environment.STATE_DATABASE_URL ?? '').replace(
        '@state-db:5432/',
        `@127.0.0.1:${port}/`,
      );
    pool = new Pool({ connectionString: urls['auth-server'], max: 1 });
  }, 90_000);

  afterAll(async () => {
    await pool?.end();
    await postgres?.stop('SIGTERM', 20_000);
    rmSync(dir, { recursive: true, force: true });
  });

  const migrate = (url: string) =>
    run(process.execPath, [path.join(REPO_ROOT, 'shared/dist/state-store/migrate-cli.js')], {
      env: { ...process.env, STATE_DATABASE_URL: url },
    });

  it('both servers can migrate it: the first creates the schema, the second finds it current', async () => {
    await migrate(urls['auth-server'] ?? '');
    await migrate(urls['resource-server'] ?? '');
    const { rows } = await pool.query<{ name: string }>('SELECT name FROM pgmigrations');
    expect(rows.map((row) => row.name)).toEqual(['0001_revocations-and-rate-limits']);
  });

  it('takes a revocation as the auth-server records it', async () => {
    const store = new RevocationStore({ pool, maxTokenLifetimeSeconds: 3600 });
    const notBefore = await store.revokeUser('3c1f6e2a-9d84-4b7e-a1f0-5e2d8c7b9a41');
    expect(await store.userNotBefore('3c1f6e2a-9d84-4b7e-a1f0-5e2d8c7b9a41')).toBe(notBefore);
  });
});
