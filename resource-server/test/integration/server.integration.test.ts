import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { getFreePort, startProcess, type StartedProcess } from '@authstack/shared/testing';
import { JwksServer } from '../support/jwks-server';
import { CLIENT_ID } from '../support/test-app';
import { createTestKey, idTokenClaims, signedToken, type TestKey } from '../support/tokens';

const SERVER = path.join(__dirname, '../../dist/server.js');

let keyA: TestKey;
let keyB: TestKey;
let jwks: JwksServer;
let server: StartedProcess;
let origin: string;

beforeAll(async () => {
  keyA = createTestKey();
  keyB = createTestKey();
  jwks = await new JwksServer([keyA]).start();
  const port = await getFreePort();
  origin = `http://127.0.0.1:${port}`;
  server = await startProcess({
    script: SERVER,
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      USER_POOL_ID: jwks.poolId,
      USER_POOL_CLIENT_ID: `other-client,${CLIENT_ID}`,
      TOKEN_ISSUER: jwks.issuer,
      ALLOW_INSECURE_JWKS: 'true',
      JWKS_REFETCH_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'info',
    },
    readyUrl: `${origin}/readyz`,
  });
});

afterAll(async () => {
  await server.stop('SIGKILL');
  await jwks.stop();
});

const tokenFor = (key: TestKey) =>
  signedToken(key, idTokenClaims({ issuer: jwks.issuer, clientId: CLIENT_ID }));

/** Opens a connection and sends all of a request but its final blank line. */
async function halfSentRequest(target: string): Promise<Socket> {
  const { port } = new URL(origin);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n`);
  return socket;
}

async function finishRequest(socket: Socket): Promise<string> {
  let response = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (response += chunk));
  const ended = new Promise((resolve) => socket.once('close', resolve));
  socket.write('\r\n');
  await ended;
  return response;
}

describe('resource-server process (dist/server.js)', () => {
  it('serves GET /users/me with a valid token and security headers', async () => {
    const res = await fetch(`${origin}/v1/api/users/me`, {
      headers: { authorization: `Bearer ${tokenFor(keyA)}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ email: 'alice@example.com', tokenUse: 'id' });
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('x-request-id')).toMatch(/.+/);
  });

  it('on SIGTERM turns readiness 503 at once, finishes the request in flight and exits 0', async () => {
    jwks.keys = [keyA, keyB];
    jwks.delayMs = 1500;
    await sleep(1100); // past JWKS_REFETCH_INTERVAL_SECONDS, so the new kid triggers a fetch
    const fetchesBefore = jwks.jwksFetches;

    const readiness = await halfSentRequest('/readyz');
    const inFlight = fetch(`${origin}/v1/api/users/me`, {
      headers: { authorization: `Bearer ${tokenFor(keyB)}` },
    });
    while (jwks.jwksFetches === fetchesBefore) await sleep(10); // the request now waits on the JWKS

    server.child.kill('SIGTERM');
    while (!server.output().includes('shutting down')) await sleep(10);

    expect(await finishRequest(readiness)).toMatch(/^HTTP\/1\.1 503 /);
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sub: unknown }).sub).toEqual(expect.any(String));
    expect(await server.exited).toBe(0);
  });
});

describe('resource-server start-up', () => {
  it('waits for an unreachable JWKS and listens once its keys are loaded', async () => {
    const pool = await new JwksServer([keyA], 'us-east-1_LateStart1').start();
    pool.up = false;
    const port = await getFreePort();
    const starting = startProcess({
      script: SERVER,
      env: {
        HOST: '127.0.0.1',
        PORT: String(port),
        USER_POOL_ID: pool.poolId,
        USER_POOL_CLIENT_ID: CLIENT_ID,
        TOKEN_ISSUER: pool.issuer,
        ALLOW_INSECURE_JWKS: 'true',
        LOG_LEVEL: 'info',
      },
      readyLine: /signing keys not loaded yet/,
    });
    const late = await starting;
    try {
      expect(late.output()).not.toContain('"msg":"listening"');
      pool.up = true;
      while (!late.output().includes('"msg":"listening"')) await sleep(20);
      const res = await fetch(`http://127.0.0.1:${port}/v1/api/users/me`, {
        headers: {
          authorization: `Bearer ${signedToken(keyA, idTokenClaims({ issuer: pool.issuer, clientId: CLIENT_ID }))}`,
        },
      });
      expect(res.status).toBe(200);
    } finally {
      await late.stop();
      await pool.stop();
    }
  });

  it('exits 1 with one line naming a bad variable', async () => {
    const child = spawn(process.execPath, [SERVER], {
      env: { ...process.env, USER_POOL_ID: 'not-a-pool', USER_POOL_CLIENT_ID: 'c' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Invalid configuration: USER_POOL_ID: /),
    ]);
  });
});

describe('a port that is taken', () => {
  it('exits 1 with one fatal line naming the port, no stack trace', async () => {
    const port = String(await getFreePort());
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(port), '127.0.0.1', resolve));
    const keys = await new JwksServer([createTestKey()]).start();
    const child = spawn(process.execPath, [SERVER], {
      env: {
        PATH: process.env.PATH,
        HOST: '127.0.0.1',
        PORT: port,
        USER_POOL_ID: keys.poolId,
        USER_POOL_CLIENT_ID: CLIENT_ID,
        TOKEN_ISSUER: keys.issuer,
        ALLOW_INSECURE_JWKS: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    await keys.stop();
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    expect(code).toBe(1);
    const fatal = stdout.split('\n').filter((line) => line.includes('"level":"fatal"'));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toContain(`port ${port} is already in use`);
    expect(stderr).toBe('');
  });
});
