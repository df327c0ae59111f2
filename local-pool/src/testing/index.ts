import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  getFreePort,
  SHARED_SERVER_VARIABLES,
  startRestartableProcess,
  type RestartableProcess,
} from '@authstack/shared/testing';
import { createLocalCognitoClient } from '../client';
import {
  ensureUserPool,
  type EnsureUserPoolOptions,
  type EnsuredUserPool,
} from '../ensure-user-pool';
import { KeyStore, type TokenUse } from '../domain/keys';
import { signJwt, type Claims } from '../domain/jwt';
import type { OutboxMessage } from '../domain/types';

/** The built server; tests import this module from src, so resolve from the workspace root. */
const SERVER_SCRIPT = path.resolve(__dirname, '../../dist/server.js');

/**
 * The scrypt cost (log2 N) of the pools tests start: 2^10, about 2 ms a sign-in instead of
 * the default's 60–200 ms, which the suites would pay thousands of times.
 */
export const TEST_PASSWORD_HASH_COST = 10;

/** What tests use of a running pool: where it is, a client of it, and its keys. */
export interface LocalPoolHandle {
  endpoint: string;
  issuerBase: string;
  dataDir: string;
  client: CognitoIdentityProviderClient;
}

/** `restart()` starts it again on the same port and data directory. */
export interface LocalPool extends LocalPoolHandle, RestartableProcess {}

/** The run's shared pool (or, outside such a run, one of its own); `stop()` releases it. */
export interface SharedLocalPool extends LocalPoolHandle {
  stop(): Promise<void>;
}

export interface StartLocalPoolOptions {
  /** Defaults to a fresh temporary directory. */
  dataDir?: string;
  /** The Lambda Invoke API base URL for UserMigration triggers. */
  lambdaEndpoint?: string;
  /** scrypt cost (log2 N); `TEST_PASSWORD_HASH_COST` unless a bench measures the real one. */
  passwordHashCost?: number;
  env?: Record<string, string>;
}

const temporaryDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of temporaryDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh data directory, removed when the test process exits. */
function temporaryDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-pool-'));
  temporaryDirs.add(dir);
  return dir;
}

/** Where the signing keys of the pools tests start are kept, once made (see `useTestKeys`). */
const TEST_KEYS_DIR = path.join(os.tmpdir(), 'authstack-local-pool-test-keys');

/**
 * Gives a new data directory the signing keys every pool started by tests signs with: a pair
 * made once on this machine (by the pool's own `KeyStore`) and copied in, mode 0600, where the
 * pool would otherwise generate two 2048-bit RSA keys at its first start (~0.5 CPU-s; the
 * suite starts some seventy pools). Pools already have one pair per install, not per user
 * pool; tests only give many installs the same pair. A kept pair that no longer loads is
 * made again. A pool started on a data directory of the test's own makes its own keys.
 */
function useTestKeys(dataDir: string): void {
  const kept = KeyStore.file(TEST_KEYS_DIR);
  try {
    KeyStore.open(TEST_KEYS_DIR); // loads the pair, making it first if there is none
  } catch {
    fs.rmSync(kept, { force: true });
    KeyStore.open(TEST_KEYS_DIR);
  }
  const target = KeyStore.file(dataDir);
  fs.copyFileSync(kept, target);
  fs.chmodSync(target, 0o600);
}

/** Starts the built local pool on a free port with its own data directory and waits for /health. */
export async function startLocalPool(options: StartLocalPoolOptions = {}): Promise<LocalPool> {
  if (!fs.existsSync(SERVER_SCRIPT)) {
    throw new Error(`${SERVER_SCRIPT} is missing: run npm run build -w @authstack/local-pool`);
  }
  let dataDir = options.dataDir;
  if (!dataDir) {
    dataDir = temporaryDataDir();
    useTestKeys(dataDir);
  }
  const port = await getFreePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    LOCAL_POOL_HOST: '127.0.0.1',
    LOCAL_POOL_PORT: String(port),
    LOCAL_POOL_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    LOCAL_POOL_PASSWORD_HASH_COST: String(options.passwordHashCost ?? TEST_PASSWORD_HASH_COST),
    ...(options.lambdaEndpoint ? { LOCAL_POOL_LAMBDA_ENDPOINT: options.lambdaEndpoint } : {}),
    ...options.env,
  };
  const running = await startRestartableProcess({
    script: SERVER_SCRIPT,
    env,
    readyUrl: `${endpoint}/health`,
  });
  const pool: LocalPool = Object.assign(running, {
    endpoint,
    issuerBase: env.LOCAL_POOL_ISSUER_BASE ?? endpoint,
    dataDir,
    client: createLocalCognitoClient(
      endpoint,
      env.AWS_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
    ),
  });
  return pool;
}

/**
 * The local pool the run's global setup started (see `SHARED_SERVER_VARIABLES`), for a test
 * file that makes user pools of its own on it (`createTestUserPool`), as one AWS account
 * holds many; outside such a run, a pool of its own (`startLocalPool`). Not for tests that
 * restart, configure or read the output of the pool, nor for reading its outbox but for
 * addresses no other test file uses (the outbox is one for the whole pool).
 */
export async function sharedLocalPool(): Promise<SharedLocalPool> {
  const shared = process.env[SHARED_SERVER_VARIABLES.localPool];
  if (!shared) return startLocalPool();
  const named = JSON.parse(shared) as Omit<LocalPoolHandle, 'client'>;
  const client = createLocalCognitoClient(named.endpoint, process.env.AWS_REGION ?? 'us-east-1');
  return { ...named, client, stop: async () => client.destroy() };
}

/** The variable's value for a pool started by `startLocalPool`, for the global setup. */
export function sharedLocalPoolVariable(pool: LocalPoolHandle): string {
  const { endpoint, issuerBase, dataDir } = pool;
  return JSON.stringify({ endpoint, issuerBase, dataDir });
}

/** `ensureUserPool`'s options but the names and groups, which the test pool picks itself. */
export type TestUserPoolOptions = Omit<EnsureUserPoolOptions, 'poolName' | 'clientName' | 'groups'>;

export interface TestUserPool extends EnsuredUserPool {
  issuer: string;
  jwksUrl: string;
}

let poolCounter = 0;

/** A fresh, uniquely named pool (with an `admin` group) made through `ensureUserPool`. */
export async function createTestUserPool(
  pool: Pick<LocalPoolHandle, 'client' | 'issuerBase'>,
  options: TestUserPoolOptions = {},
): Promise<TestUserPool> {
  poolCounter += 1;
  const name = `test-${process.pid}-${poolCounter}-${Date.now().toString(36)}`;
  const ensured = await ensureUserPool(pool.client, {
    poolName: name,
    clientName: `${name}-client`,
    groups: ['admin'],
    ...options,
  });
  const issuer = `${pool.issuerBase}/${ensured.userPoolId}`;
  return { ...ensured, issuer, jwksUrl: `${issuer}/.well-known/jwks.json` };
}

/** The local outbox for one address, newest first. */
export async function readOutbox(endpoint: string, to: string): Promise<OutboxMessage[]> {
  const response = await fetch(`${endpoint}/_local/messages?to=${encodeURIComponent(to)}`);
  if (!response.ok) throw new Error(`outbox answered ${response.status}`);
  return (await response.json()) as OutboxMessage[];
}

/**
 * Signs arbitrary claims with the pool's own key (read from its data directory),
 * for tests that need tokens the pool would never issue: expired, wrong issuer,
 * wrong client. The header is the pool's `{kid, alg: RS256}`.
 */
export function signWithPoolKey(
  pool: Pick<LocalPoolHandle, 'dataDir'>,
  use: TokenUse,
  claims: Claims,
): string {
  return signJwt(claims, KeyStore.open(pool.dataDir).signingKey(use));
}

export type { OutboxMessage };
