import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { getFreePort, startProcess, type StartedProcess } from '@authstack/shared/testing';
import { REPO_ROOT } from '../lib/paths';
import { readyBanner } from '../../scripts/stack/banner';
import { stackConfigFromEnv, type StackConfig } from '../../scripts/stack/config';
import { portClaims, type StackReady } from '../../scripts/stack/local-stack';
import { assertPortsFree } from '../../scripts/stack/ports';

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

/** Whether a process exists and is not a zombie (an orphan's parent may never reap it). */
function isRunning(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z';
  } catch {
    return false;
  }
}

function jsonLines(stack: StartedProcess): LogLine[] {
  return stack
    .stdoutLines()
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
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
      readyLine: /"msg":"stack ready"/,
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
    expect(stack?.output()).toContain(readyBanner(config, ready));
  });

  it('forwards every service log line, and every line but the banner is JSON', () => {
    const ready = readyRecord(stack as StartedProcess);
    const banner = new Set(readyBanner(config, ready).split('\n'));
    const others = (stack as StartedProcess).stdoutLines().filter((line) => !banner.has(line));
    const names = new Set(others.map((line) => (JSON.parse(line) as LogLine).name));
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

  it('goes down as a whole, with a line naming it, when one service dies', async () => {
    const running = stack as StartedProcess;
    const resourceServer = jsonLines(running).find((line) => line.name === 'resource-server');
    process.kill(Number(resourceServer?.pid), 'SIGKILL');
    expect(await running.exited).toBe(1);
    expect(running.output()).toContain(
      'resource-server stopped unexpectedly (signal SIGKILL); stopping the stack.',
    );
    await expect(assertPortsFree(portClaims(config))).resolves.toBeUndefined();
  });

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
});
