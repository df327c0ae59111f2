import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createTestUserPool,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { LOCAL_STATE_DB } from '@authstack/shared/state-store';
import {
  getFreePort,
  startProcess,
  startStateDatabase,
  type StartedProcess,
  type StateDatabase,
} from '@authstack/shared/testing';
import type { StateStoreDeps } from '../../src/app';
import { PASSWORD, connectStateStore, uniqueEmail } from './harness';
import { claimsOf, revocationsOf } from './revocation-helpers';

const SERVER = path.join(__dirname, '../../dist/server.js');

let pool: SharedLocalPool;
let userPool: TestUserPool;
let db: StateDatabase;
let server: StartedProcess;
let base: string;
let stateStore: StateStoreDeps | undefined;

beforeAll(async () => {
  [pool, db] = await Promise.all([sharedLocalPool(), startStateDatabase()]);
  userPool = await createTestUserPool(pool);
  await db.crash();
  const port = await getFreePort();
  base = `http://127.0.0.1:${port}/v1/api`;
  server = await startProcess({
    script: SERVER,
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      COGNITO_ENDPOINT: pool.endpoint,
      USER_POOL_ID: userPool.userPoolId,
      USER_POOL_CLIENT_ID: userPool.clientId,
      STATE_DATABASE_URL: db.url,
      LOG_LEVEL: 'info',
    },
    readyLine: /"msg":"listening"/,
  });
});

afterAll(async () => {
  await server?.stop('SIGKILL');
  await stateStore?.db.end();
  await Promise.all([db?.stop(), pool?.stop()]);
});

async function call(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${url}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

const logRecords = () =>
  server.stdoutLines().map((line) => JSON.parse(line) as Record<string, unknown>);

let accessToken = '';

describe('the auth-server process, its state store down at start-up', () => {
  it('starts anyway: sign-up and sign-in work, sign-out answers 503 revocation_unavailable', async () => {
    expect(logRecords()).toContainEqual(
      expect.objectContaining({
        msg: 'state store migrations failed; retrying in the background',
      }),
    );
    const email = uniqueEmail('process');
    const signUp = await call('/user', { email, name: 'Process User', password: PASSWORD });
    expect(signUp.status).toBe(201);
    const signIn = await call('/user/signin', { email, password: PASSWORD });
    expect(signIn.status).toBe(200);
    accessToken = String(signIn.body.accessToken);

    const signOut = await call('/user/signout', {}, accessToken);
    expect(signOut.status).toBe(503);
    expect(signOut.headers.get('retry-after')).toBe('5');
    expect(signOut.body).toMatchObject({ error: { code: 'revocation_unavailable' } });
  });

  it('migrates in the background once the store is back, then records sign-outs', async () => {
    await db.start();
    const deadline = Date.now() + 30_000;
    while (!logRecords().some((record) => record.msg === 'state store migrations done')) {
      if (Date.now() > deadline) throw new Error('the migrations were not retried');
      await sleep(200);
    }

    const signOut = await call('/user/signout', {}, accessToken);
    expect(signOut.status).toBe(204);
    stateStore = connectStateStore(db.url);
    const { sub, iat } = claimsOf(accessToken);
    const [revocation] = await revocationsOf(stateStore.db, sub);
    expect(revocation).toMatchObject({ kind: 'user', subject: sub });
    expect(revocation?.notBefore).toBeGreaterThan(iat);
  });

  it('logs JSON lines only, none holding the database password; exits 0 on SIGTERM', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
    const lines = server.stdoutLines();
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(server.output()).not.toContain(LOCAL_STATE_DB.app.password);
    expect(logRecords()).toContainEqual(expect.objectContaining({ msg: 'shut down' }));
  });
});
