import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import type { PoolContext } from '@authstack/local-pool/domain/context';
import { KeyStore } from '@authstack/local-pool/domain/keys';
import { PasswordHasher } from '@authstack/local-pool/domain/passwords';
import { TEST_PASSWORD_HASH_COST } from '@authstack/local-pool/testing';
import { defaultPoolSettings } from '@authstack/local-pool/domain/pools';
import { SignInLockout } from '@authstack/local-pool/domain/sign-in-lockout';
import type { PoolRecord } from '@authstack/local-pool/domain/types';
import { openDatabase } from '@authstack/local-pool/storage/database';
import { PoolStore } from '@authstack/local-pool/storage/store';

/** A real store and keys in a temporary directory, with a clock the test moves. */
export interface DomainFixture {
  context: PoolContext;
  logs: LogCapture;
  now: { ms: number };
  pool: PoolRecord;
  close(): void;
}

let sharedKeys: { dir: string; keys: KeyStore } | undefined;

/** RSA key generation is slow, so every fixture of a test file shares one key pair. */
function keysForTests(): KeyStore {
  if (!sharedKeys) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-pool-keys-'));
    sharedKeys = { dir, keys: KeyStore.open(dir) };
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return sharedKeys.keys;
}

export function domainFixture(): DomainFixture {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-pool-domain-'));
  const store = new PoolStore(openDatabase(dataDir));
  const logs = new LogCapture();
  const now = { ms: Date.UTC(2026, 0, 1) };
  const context: PoolContext = {
    store,
    keys: keysForTests(),
    passwords: new PasswordHasher(TEST_PASSWORD_HASH_COST),
    clock: () => now.ms,
    region: 'us-east-1',
    issuerBase: () => 'http://127.0.0.1:9229',
    migration: undefined,
    logger: createLogger({ name: 'test', destination: logs, level: 'debug' }),
    lockout: new SignInLockout({ enabled: false }, () => now.ms),
  };
  const pool: PoolRecord = {
    id: 'us-east-1_Abcdefghi',
    name: 'fixture',
    createdAt: now.ms,
    updatedAt: now.ms,
    settings: { ...defaultPoolSettings(), UsernameAttributes: ['email'] },
  };
  store.insertPool(pool);
  return {
    context,
    logs,
    now,
    pool,
    close() {
      store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
