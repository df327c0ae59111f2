import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { connect } from 'node:net';
import path from 'node:path';
import { createTestUserPool, sharedLocalPool } from '@authstack/local-pool/testing';
import { getFreePort, startProcess, type StartedProcess } from '@authstack/shared/testing';
import { PASSWORD, uniqueEmail, type SharedLocalPool, type TestUserPool } from './harness';
import { startSlowProxy, type SlowProxy } from './slow-proxy';

const SERVER = path.join(__dirname, '../../dist/server.js');

let pool: SharedLocalPool;
let userPool: TestUserPool;
let proxy: SlowProxy;
let server: StartedProcess;
let base: string;

function environment(
  userPoolIds: TestUserPool,
  endpoint: string,
  port: number,
): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    PORT: String(port),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    COGNITO_ENDPOINT: endpoint,
    USER_POOL_ID: userPoolIds.userPoolId,
    USER_POOL_CLIENT_ID: userPoolIds.clientId,
    UPSTREAM_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'info',
  };
}

beforeAll(async () => {
  pool = await sharedLocalPool();
  userPool = await createTestUserPool(pool);
  proxy = await startSlowProxy(pool.endpoint);
  const port = await getFreePort();
  base = `http://127.0.0.1:${port}`;
  server = await startProcess({
    script: SERVER,
    env: environment(userPool, proxy.url, port),
    readyUrl: `${base}/readyz`,
  });
});

afterAll(async () => {
  await server?.stop('SIGKILL');
  await proxy?.close();
  await pool?.stop();
});

async function call(method: string, url: string, body?: unknown, token?: string) {
  const response = await fetch(`${base}/v1/api${url}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** One raw HTTP/1.1 connection: requests written on it whenever the test likes, answers collected. */
function rawConnection(port: number): { send(request: string): void; answer: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    received += chunk;
  });
  return {
    send: (request) => socket.write(request),
    answer: new Promise((resolve) => {
      socket.on('close', () => resolve(received));
    }),
  };
}

async function waitForOutput(process: StartedProcess, text: string): Promise<void> {
  while (!process.output().includes(text)) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('the built server (node auth-server/dist/server.js)', () => {
  it('serves the README walk-through: sign-up, sign-in, me, sign-out, me again (401)', async () => {
    const email = uniqueEmail('readme');
    const signUp = await call('POST', '/user', { email, name: 'Readme User', password: PASSWORD });
    expect(signUp.status).toBe(201);
    const signIn = await call('POST', '/user/signin', { email, password: PASSWORD });
    expect(signIn.status).toBe(200);
    const accessToken = String(signIn.body.accessToken);
    const me = await call('GET', '/user/me', undefined, accessToken);
    expect(me).toMatchObject({
      status: 200,
      body: { email: email.toLowerCase(), emailVerified: false, mfaEnabled: false },
    });
    expect((await call('GET', '/user/signout', undefined, accessToken)).status).toBe(204);
    const after = await call('GET', '/user/me', undefined, accessToken);
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ error: { code: 'invalid_token' } });
  });

  it("logs MFA_MODE and the pool's MfaConfiguration at start, and warns when they disagree", () => {
    const records = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toContainEqual(
      expect.objectContaining({
        msg: 'user pool reachable',
        mfaMode: 'optional',
        poolMfaConfiguration: 'OFF',
      }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        mfaMode: 'optional',
        poolMfaConfiguration: 'OFF',
        expectedMfa: 'OPTIONAL',
      }),
    );
  });

  it('writes only JSON lines (stdout and stderr), with no password or token in them', () => {
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.length > 0);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(server.output()).not.toContain(PASSWORD);
    expect(server.output()).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });

  it('on SIGTERM stops accepting, lets the in-flight sign-in finish, and exits 0', async () => {
    const email = uniqueEmail('drain');
    expect((await call('POST', '/user', { email, name: 'Drain', password: PASSWORD })).status).toBe(
      201,
    );
    const port = Number(new URL(base).port);
    const body = JSON.stringify({ email, password: PASSWORD });
    proxy.delayNext('InitiateAuth', 1_500);
    const reachedPool = proxy.nextCall('InitiateAuth');
    const connection = rawConnection(port);
    connection.send(
      `POST /v1/api/user/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await reachedPool;

    const exitCode = server.stop('SIGTERM', 10_000);
    await waitForOutput(server, 'shutting down');
    await expect(fetch(`${base}/readyz`)).rejects.toThrow();
    const answer = await connection.answer;
    expect(await exitCode).toBe(0);

    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toContain('"accessToken"');
    expect(server.output()).toContain('shutting down');
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});

describe('start-up failures', () => {
  it('exits 1 with one line naming a bad variable', () => {
    const result = spawnSync(process.execPath, [SERVER], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', USER_POOL_CLIENT_ID: 'abc' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Invalid configuration: USER_POOL_ID: .+$/);
  });

  it('exits 1 with one line naming the port when it is taken', async () => {
    const blocker: Server = createServer();
    const port = await getFreePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const result = spawnSync(process.execPath, [SERVER], {
        env: { PATH: process.env.PATH, ...environment(userPool, pool.endpoint, port) },
        encoding: 'utf8',
        timeout: 15_000,
      });
      expect(result.status).toBe(1);
      const fatal = result.stdout.split('\n').filter((line) => line.includes('"level":"fatal"'));
      expect(fatal).toHaveLength(1);
      expect(fatal[0]).toContain(`port ${port} is already in use`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
