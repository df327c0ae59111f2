import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { getFreePort, startProcess, type StartedProcess } from '@authstack/shared/testing';
import { LEGACY_DB, localLegacyDatabaseUrl } from '@authstack/trigger/local/legacy-db-settings';
import { REPO_ROOT } from '../lib/paths';
import { readyBanner } from '../../scripts/stack/banner';
import { stackConfigFromEnv, type StackConfig } from '../../scripts/stack/config';
import { portClaims, type StackReady } from '../../scripts/stack/local-stack';
import { assertPortsFree } from '../../scripts/stack/ports';
import { eventually, isRunning } from './support/processes';

/** `npm start` runs `tsx scripts/start.ts`; so does this test, on free ports and a temp folder. */
const TSX_CLI = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

type LogLine = Record<string, unknown>;

const SERVICES = [
  'legacy-db',
  'state-db',
  'trigger-invoke-server',
  'local-pool',
  'auth-server',
  'resource-server',
];

function jsonLines(stack: StartedProcess): LogLine[] {
  return stack
    .stdoutLines()
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/** The pid a service's latest log line shows (a restarted service logs a new one). */
function latestPid(stack: StartedProcess, service: string): number {
  const line = jsonLines(stack)
    .filter((record) => record.name === service && typeof record.pid === 'number')
    .at(-1);
  if (!line) throw new Error(`no log line of ${service} shows its pid`);
  return Number(line.pid);
}

/** The orchestrator's lines announcing a restart of `service`. */
function restartLines(stack: StartedProcess, service: string): LogLine[] {
  return jsonLines(stack).filter(
    (line) =>
      line.name === 'stack' &&
      line.service === service &&
      typeof line.msg === 'string' &&
      line.msg.includes('restarting in'),
  );
}

/** Resolves once the orchestrator says `service` has been restarted `count` times. */
function restarted(stack: StartedProcess, service: string, count = 1): Promise<true> {
  return eventually(`${service} restarted`, () =>
    jsonLines(stack).filter((line) => line.msg === `${service} restarted`).length >= count
      ? true
      : undefined,
  );
}

/** The ready banner as printed to a pipe: one JSON record per non-blank line. */
function bannerText(stack: StartedProcess): string[] {
  return jsonLines(stack)
    .filter((line) => line.banner === true)
    .map((line) => String(line.msg));
}

function readyRecord(stack: StartedProcess): StackReady {
  const record = jsonLines(stack).find((line) => line.msg === 'stack ready');
  if (!record) throw new Error('no "stack ready" line');
  return record as unknown as StackReady;
}

async function signIn(config: StackConfig, email: string, password: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${config.ports.authServer}/v1/api/user/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

async function me(config: StackConfig, token: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${config.ports.resourceServer}/v1/api/users/me`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

describe('npm start (scripts/start.ts)', () => {
  let stateDir: string;
  let env: Record<string, string>;
  let config: StackConfig;
  let stack: StartedProcess | undefined;

  const start = async (): Promise<StartedProcess> =>
    startProcess({
      script: TSX_CLI,
      args: ['scripts/start.ts'],
      cwd: REPO_ROOT,
      env,
      readyLine: /"banner":true/,
      readyTimeoutMs: 90_000,
    });

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'authstack-stack-'));
    // Postgres runs as its own user and must be able to enter the folder.
    chmodSync(stateDir, 0o755);
    env = {
      LOCAL_STATE_DIR: stateDir,
      LEGACY_DB_PORT: String(await getFreePort()),
      STATE_DB_PORT: String(await getFreePort()),
      TRIGGER_PORT: String(await getFreePort()),
      LOCAL_POOL_PORT: String(await getFreePort()),
      AUTH_SERVER_PORT: String(await getFreePort()),
      RESOURCE_SERVER_PORT: String(await getFreePort()),
    };
    config = stackConfigFromEnv(env);
    stack = await start();
  }, 120_000);

  afterAll(async () => {
    await stack?.stop('SIGTERM', 30_000);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts every service with the pool and client ids wired in, and prints where they are', async () => {
    const ready = readyRecord(stack as StartedProcess);
    expect(ready.userPoolId).toMatch(/^us-east-1_/);
    expect(ready.endpoints.authServer).toBe(`http://127.0.0.1:${config.ports.authServer}`);
    for (const url of [
      `${ready.endpoints.authServer}/readyz`,
      `${ready.endpoints.resourceServer}/readyz`,
      `${ready.endpoints.localPool}/health`,
      `${ready.endpoints.trigger}/health`,
    ])
      expect({ url, status: (await fetch(url)).status }).toEqual({ url, status: 200 });
    // Piped, the banner is JSON too: one record per line, right after the "stack ready" line.
    const banner = readyBanner(config, ready)
      .split('\n')
      .filter((line) => line.trim().length > 0);
    expect(bannerText(stack as StartedProcess)).toEqual(banner);
    const messages = jsonLines(stack as StartedProcess).map((line) => line.msg);
    const readyAt = messages.indexOf('stack ready');
    expect(messages.slice(readyAt, readyAt + 1 + banner.length)).toEqual([
      'stack ready',
      ...banner,
    ]);
  });

  it('forwards every service log line, and every line, the banner included, is JSON', () => {
    const lines = (stack as StartedProcess).stdoutLines();
    expect(lines.filter((line) => !line.startsWith('{'))).toEqual([]);
    const names = new Set(lines.map((line) => (JSON.parse(line) as LogLine).name));
    for (const name of [
      'stack',
      'legacy-db',
      'state-db',
      'local-pool',
      'auth-server',
      'resource-server',
    ])
      expect(names).toContain(name);
  });

  let firstSub: string;

  it("says the AWS SDK's Node version notice once for the whole stack, and not at all on Node 22 or newer", () => {
    const notices = (stack as StartedProcess)
      .stdoutLines()
      .filter(
        (line) => line.includes('January 2027') || line.includes('NodeVersionSupportWarning'),
      );
    const major = Number(process.versions.node.split('.')[0]);
    expect(notices).toHaveLength(major >= 22 ? 0 : 1);
    if (major < 22) expect(notices[0]).toContain('"name":"stack"');
  });

  it('signs a legacy user in through the auth-server (migrated by the trigger) and serves /users/me', async () => {
    const response = await signIn(config, 'legacy@example.com', 'Legacy-Passw0rd!');
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as { idToken: string; accessToken: string };
    const profile = await me(config, tokens.idToken);
    expect(profile.status).toBe(200);
    const body = (await profile.json()) as { sub: string; email: string; name: string };
    expect(body).toMatchObject({ email: 'legacy@example.com', name: 'Legacy User' });
    firstSub = body.sub;
    expect((await me(config, tokens.accessToken)).status).toBe(200);
  });

  it('refuses a sign-up over a legacy account (409 email_taken, as for a pool user); the owner still migrates', async () => {
    const signUp = (email: string) =>
      fetch(`http://127.0.0.1:${config.ports.authServer}/v1/api/user`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, name: 'Squatter', password: 'Squatter-Passw0rd!' }),
      });
    const squat = await signUp('legacy.argon@example.com');
    expect(squat.status).toBe(409);
    const { error } = (await squat.json()) as { error: Record<string, unknown> };
    const taken = await signUp('admin@example.com');
    expect(taken.status).toBe(409);
    const { error: takenError } = (await taken.json()) as { error: Record<string, unknown> };
    expect({ ...error, requestId: undefined }).toEqual({ ...takenError, requestId: undefined });

    const owner = await signIn(config, 'legacy.argon@example.com', 'Legacy-Argon2-Passw0rd!');
    expect(owner.status).toBe(200);
    const { idToken } = (await owner.json()) as { idToken: string };
    expect(await (await me(config, idToken)).json()).toMatchObject({
      email: 'legacy.argon@example.com',
      name: 'Argon User',
    });
  });

  it('signs the demo admin in with the admin group', async () => {
    const response = await signIn(config, 'admin@example.com', 'Admin-Passw0rd!');
    expect(response.status).toBe(200);
    const { idToken } = (await response.json()) as { idToken: string };
    expect(await (await me(config, idToken)).json()).toMatchObject({ groups: ['admin'] });
  });

  it('signs the user out, and the resource-server refuses the old tokens while a new sign-in passes', async () => {
    const first = (await (
      await signIn(config, 'legacy@example.com', 'Legacy-Passw0rd!')
    ).json()) as { idToken: string; accessToken: string };
    const signOut = await fetch(`http://127.0.0.1:${config.ports.authServer}/v1/api/user/signout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.accessToken}` },
    });
    expect(signOut.status).toBe(204);
    // Revocations reach the resource-server by NOTIFY, within milliseconds: poll briefly.
    let refused = await me(config, first.idToken);
    for (const deadline = Date.now() + 2_000; refused.status === 200 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      refused = await me(config, first.idToken);
    }
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'invalid_token' } });
    expect((await me(config, first.accessToken)).status).toBe(401);
    const again = await signIn(config, 'legacy@example.com', 'Legacy-Passw0rd!');
    const { idToken } = (await again.json()) as { idToken: string };
    expect((await me(config, idToken)).status).toBe(200);
  });

  it('stops on SIGTERM: services in reverse order, Postgres last, exit 0, every port free again', async () => {
    const running = stack as StartedProcess;
    expect(await running.stop('SIGTERM', 30_000)).toBe(0);
    const stopped = jsonLines(running)
      .filter(
        (line) =>
          line.name === 'stack' && typeof line.msg === 'string' && line.msg.startsWith('stopping '),
      )
      .map((line) => line.service)
      .filter(Boolean);
    expect(stopped).toEqual([
      'resource-server',
      'auth-server',
      'local-pool',
      'trigger',
      'state-db',
      'legacy-db',
    ]);
    const lines = jsonLines(running);
    for (const [service, name] of [
      ['legacy-db', 'legacy database'],
      ['state-db', 'state store'],
    ]) {
      expect(lines).toContainEqual(
        expect.objectContaining({ name: service, mode: 'fast', msg: `stopping ${name}` }),
      );
      expect(lines).toContainEqual(
        expect.objectContaining({
          name: service,
          durationMs: expect.any(Number),
          msg: `${name} stopped`,
        }),
      );
    }
    // A slow stop is logged with how long it waited; a fast one says nothing more.
    expect(lines.filter((line) => line.waitedMs !== undefined)).toEqual([]);
    await expect(assertPortsFree(portClaims(config))).resolves.toBeUndefined();
  });

  it('restarts on the same state: the same pool, and the migrated user is still there', async () => {
    const firstPool = readyRecord(stack as StartedProcess).userPoolId;
    stack = await start();
    expect(readyRecord(stack).userPoolId).toBe(firstPool);
    const response = await signIn(config, 'legacy@example.com', 'Legacy-Passw0rd!');
    expect(response.status).toBe(200);
    const { idToken } = (await response.json()) as { idToken: string };
    expect(await (await me(config, idToken)).json()).toMatchObject({ sub: firstSub });
  });

  it('restarts a service that dies (resource-server, SIGKILL): one line naming it, how it exited and when it restarts; it serves again', async () => {
    const running = stack as StartedProcess;
    const killed = latestPid(running, 'resource-server');
    process.kill(killed, 'SIGKILL');
    await restarted(running, 'resource-server');
    expect(restartLines(running, 'resource-server')).toEqual([
      expect.objectContaining({
        level: 'warn',
        exitCode: null,
        signal: 'SIGKILL',
        restartInMs: 500,
        msg: 'resource-server exited (signal SIGKILL); restarting in 500 ms',
      }),
    ]);
    expect(latestPid(running, 'resource-server')).not.toBe(killed);
    expect((await fetch(`http://127.0.0.1:${config.ports.resourceServer}/readyz`)).status).toBe(
      200,
    );
    const { idToken } = (await (
      await signIn(config, 'admin@example.com', 'Admin-Passw0rd!')
    ).json()) as { idToken: string };
    expect(await (await me(config, idToken)).json()).toMatchObject({ email: 'admin@example.com' });
  });

  it('restarts the legacy Postgres when its server process is killed: the runner exits, is restarted, and the database accepts connections again', async () => {
    const running = stack as StartedProcess;
    const postmasterPid = (): number =>
      Number(
        readFileSync(path.join(stateDir, 'legacy-db', 'postmaster.pid'), 'utf8').split('\n')[0],
      );
    const killed = postmasterPid();
    process.kill(killed, 'SIGKILL');
    await restarted(running, 'legacy-db');
    expect(jsonLines(running)).toContainEqual(
      expect.objectContaining({
        name: 'legacy-db',
        level: 'error',
        signal: 'SIGKILL',
        msg: 'legacy database: the Postgres server exited unexpectedly; exiting so that it is restarted',
      }),
    );
    expect(restartLines(running, 'legacy-db')).toEqual([
      expect.objectContaining({
        exitCode: 1,
        msg: 'legacy-db exited (code 1); restarting in 500 ms',
      }),
    ]);
    expect(postmasterPid()).not.toBe(killed);
    const client = new Client({ connectionString: localLegacyDatabaseUrl(config.ports.legacyDb) });
    await client.connect();
    try {
      const { rows } = await client.query<{ users: number }>(
        `SELECT count(*)::int AS users FROM ${LEGACY_DB.table}`,
      );
      expect(rows[0]?.users).toBeGreaterThanOrEqual(3);
    } finally {
      await client.end();
    }
  });

  it('stops the stack, with a line naming the service and exit code 1, when a service cannot be restarted', async () => {
    const running = stack as StartedProcess;
    // Kill the resource-server and take its port before the restart does (0.5 s later);
    // should a restart win the race, kill that one too.
    const blocker: Server = createServer((socket) => socket.destroy());
    const takePort = (): Promise<boolean> =>
      new Promise((resolve) => {
        const settle = (taken: boolean) => (): void => {
          blocker.off('error', refused).off('listening', listening);
          resolve(taken);
        };
        const refused = settle(false);
        const listening = settle(true);
        blocker.once('error', refused).once('listening', listening);
        blocker.listen(config.ports.resourceServer, '127.0.0.1');
      });
    let taken = false;
    for (let attempt = 1; !taken; attempt += 1) {
      if (attempt > 5) throw new Error('a restarted resource-server took its port back every time');
      process.kill(latestPid(running, 'resource-server'), 'SIGKILL');
      for (const deadline = Date.now() + 2_000; !taken && Date.now() < deadline;) {
        taken = await takePort();
        if (!taken) await sleep(5);
      }
    }
    try {
      expect(await running.exited).toBe(1);
      expect(running.output()).toMatch(
        /resource-server failed to start: resource-server exited \(code 1\) before it was ready, after 5 restarts in a row; giving up; stopping the stack\./,
      );
      // Each delay doubles the last, up to the cap (the series may have begun before this test).
      const delays = restartLines(running, 'resource-server').map((line) =>
        Number(line.restartInMs),
      );
      expect(delays.at(-1)).toBe(8_000);
      expect(delays.slice(-4)).toEqual([1_000, 2_000, 4_000, 8_000]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    await expect(assertPortsFree(portClaims(config))).resolves.toBeUndefined();
  }, 90_000);

  it('refuses to start when a port is taken: one line naming it, exit code 1, nothing started', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) =>
      blocker.listen(config.ports.authServer, '127.0.0.1', resolve),
    );
    try {
      const refused = await startProcess({
        script: TSX_CLI,
        args: ['scripts/start.ts'],
        cwd: REPO_ROOT,
        env,
      });
      expect(await refused.exited).toBe(1);
      expect(refused.output().trim()).toBe(
        `Port ${config.ports.authServer} on 127.0.0.1 (auth-server) is already in use: stop what holds it, or set AUTH_SERVER_PORT to another port.`,
      );
      const others = portClaims(config).filter((claim) => claim.port !== config.ports.authServer);
      await expect(assertPortsFree(others)).resolves.toBeUndefined();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('stops every service, Postgres included, when npm start itself is killed (SIGKILL)', async () => {
    await stack?.stop('SIGTERM', 30_000);
    stack = await start();
    const pids = new Map<string, number>();
    for (const line of jsonLines(stack))
      if (typeof line.name === 'string' && typeof line.pid === 'number')
        pids.set(line.name, line.pid);
    const orchestrator = pids.get('stack');
    pids.delete('stack');
    expect([...pids.keys()]).toEqual(expect.arrayContaining(SERVICES));
    process.kill(Number(orchestrator), 'SIGKILL');
    await stack.exited;
    // Each service notices its supervisor is gone (the IPC channel closes) and stops itself.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const left = [...pids].filter(([, pid]) => isRunning(pid)).map(([name]) => name);
      const portsFree = await assertPortsFree(portClaims(config)).then(
        () => true,
        () => false,
      );
      if (left.length === 0 && portsFree) break;
      if (Date.now() > deadline) {
        throw new Error(`still running: ${left.join(', ') || 'none'}; ports free: ${portsFree}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 60_000);

  it('starts with LOG_LEVEL=warn: the services log only warnings, and readiness does not wait for a log line', async () => {
    stack = await startProcess({
      script: TSX_CLI,
      args: ['scripts/start.ts'],
      cwd: REPO_ROOT,
      env: { ...env, LOG_LEVEL: 'warn' },
      readyLine: /"banner":true/,
      readyTimeoutMs: 90_000,
    });
    expect(bannerText(stack)[0]).toMatch(/^authstack is up\./);
    const logged = jsonLines(stack).filter((line) => line.banner !== true);
    const levels = new Set(logged.map((line) => line.level));
    expect([...levels].filter((level) => level === 'info' || level === 'debug')).toEqual([]);
    for (const url of [
      `http://127.0.0.1:${config.ports.authServer}/readyz`,
      `http://127.0.0.1:${config.ports.resourceServer}/readyz`,
    ])
      expect({ url, status: (await fetch(url)).status }).toEqual({ url, status: 200 });
    expect(await stack.stop('SIGTERM', 30_000)).toBe(0);
  }, 120_000);
});
