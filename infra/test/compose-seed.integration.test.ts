import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { createLogger, parseConfig } from '@authstack/shared';
import {
  getFreePort,
  LogCapture,
  startProcess,
  type StartedProcess,
} from '@authstack/shared/testing';
import { triggerConfigSchema } from '@authstack/trigger/config';
import { createTriggerRuntime, type TriggerRuntime } from '@authstack/trigger/runtime';
import { REPO_ROOT } from '../lib/paths';
import { COMPOSE_SEED_FILE } from '../../scripts/compose-seed';

type Environment = Record<string, string>;
const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, { environment: Environment }> };

/**
 * What `docker compose up` does with the legacy database, without Docker: a blank
 * Postgres set up as the official image sets it up from compose's environment, the
 * seed run as its init script, then the trigger's own runtime connecting with
 * compose's LEGACY_DATABASE_URL (host and port moved to this machine).
 */
describe('compose legacy database seed, read by the trigger', () => {
  const database = compose.services['legacy-db']?.environment as Environment;
  let dir: string;
  let postgres: StartedProcess;
  let runtime: TriggerRuntime;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'authstack-seed-'));
    chmodSync(dir, 0o755);
    const port = await getFreePort();
    postgres = await startProcess({
      script: path.join(__dirname, 'support', 'blank-postgres.mjs'),
      env: { PGDATA: path.join(dir, 'data'), PGPORT: String(port), ...database },
      readyLine: /"msg":"postgres ready"/,
      readyTimeoutMs: 60_000,
    });
    const admin = new Client({
      host: '127.0.0.1',
      port,
      user: database.POSTGRES_USER,
      password: database.POSTGRES_PASSWORD,
      database: database.POSTGRES_DB,
    });
    await admin.connect();
    await admin.query(readFileSync(COMPOSE_SEED_FILE, 'utf8'));
    await admin.end();

    const url = compose.services.trigger?.environment.LEGACY_DATABASE_URL ?? '';
    const config = parseConfig(triggerConfigSchema, {
      LEGACY_DATABASE_URL: url.replace('@legacy-db:5432/', `@127.0.0.1:${port}/`),
    });
    runtime = await createTriggerRuntime(
      config,
      createLogger({ name: 'seed-test', destination: new LogCapture() }),
    );
  }, 90_000);

  afterAll(async () => {
    await runtime?.close();
    await postgres?.stop('SIGTERM', 20_000);
    rmSync(dir, { recursive: true, force: true });
  });

  const signal = () => AbortSignal.timeout(3_000);

  it.each([
    ['legacy@example.com', 'Legacy-Passw0rd!', 'Legacy User'],
    ['legacy.argon@example.com', 'Legacy-Argon2-Passw0rd!', 'Argon User'],
    ['legacy.reset@example.com', 'Legacy-Reset-Passw0rd!', 'Reset User'],
  ])('authenticates %s with their password', async (email, password, name) => {
    await expect(runtime.users.authenticate(email, password, signal())).resolves.toEqual({
      ok: true,
      profile: { email, name, emailVerified: true, disabled: false },
    });
  });

  it('refuses a wrong password, and finds the forgot-password user without one', async () => {
    await expect(
      runtime.users.authenticate('legacy@example.com', 'Wrong-Passw0rd!', signal()),
    ).resolves.toMatchObject({ ok: false, reason: 'wrong_password' });
    await expect(runtime.users.lookup('legacy.reset@example.com', signal())).resolves.toMatchObject(
      {
        email: 'legacy.reset@example.com',
        name: 'Reset User',
      },
    );
  });
});
