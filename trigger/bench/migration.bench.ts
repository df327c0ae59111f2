/**
 * Benchmarks the migration trigger, side by side in one run:
 *  1. a warm trigger invocation on its own, through the local Lambda Invoke API with the
 *     real Lambda SDK (bcrypt, argon2id and the password-less forgot-password lookup);
 *  2. when the local pool and the auth-server are built: the first sign-in of distinct
 *     legacy users end to end (auth-server → local pool → Invoke API → trigger → Postgres),
 *     and their second sign-in (already in the pool, no trigger) for comparison.
 * Run with `npm run bench -w @authstack/trigger` (after `npm run build`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { benchHeader, percentile } from '@authstack/shared/testing';
import { createTestUserPool, startLocalPool } from '@authstack/local-pool/testing';
import { DEFAULT_PASSWORD_HASH_COST } from '@authstack/local-pool/domain/passwords';
import {
  DEMO_LEGACY_USERS,
  seedLegacyUsers,
  startLegacyDatabase,
  startTriggerInvokeServer,
  type SeedLegacyUser,
} from '../src/testing';
import { startAuthServer } from '../test/support/auth-server';
import { invokeFunction, lambdaClient } from '../test/support/lambda';
import { migrationEvent } from '../test/support/fakes';

const ROOT = path.resolve(__dirname, '../..');
const WARM_ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const E2E_USERS = Number(process.env.BENCH_USERS ?? 60);

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

function summary(name: string, samples: number[]): Record<string, string | number> {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    name,
    n: samples.length,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function main(): Promise<void> {
  process.stdout.write(`${benchHeader('trigger migration bench')}\n`);
  const db = await startLegacyDatabase();
  const trigger = await startTriggerInvokeServer({
    legacyDatabaseUrl: db.url,
    env: { LOG_LEVEL: 'warn' },
  });
  const lambda = lambdaClient(trigger.endpoint);
  const cleanups: (() => Promise<unknown>)[] = [
    () => db.stop(),
    () => trigger.stop(),
    async () => lambda.destroy(),
  ];
  const results: Record<string, string | number>[] = [];
  try {
    const cases = {
      'trigger sign-in, bcrypt cost 10': migrationEvent(
        'UserMigration_Authentication',
        'legacy@example.com',
        'Legacy-Passw0rd!',
      ),
      'trigger sign-in, argon2id m=19MiB t=2': migrationEvent(
        'UserMigration_Authentication',
        'legacy.argon@example.com',
        'Legacy-Argon2-Passw0rd!',
      ),
      'trigger sign-in, unknown user (dummy hash)': migrationEvent(
        'UserMigration_Authentication',
        'nobody@example.com',
        'Legacy-Passw0rd!',
      ),
      'trigger forgot-password lookup': migrationEvent(
        'UserMigration_ForgotPassword',
        'legacy.reset@example.com',
      ),
    };
    // Round-robin, so a busy machine slows every case alike and the ratios stay fair.
    const samples = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]));
    for (let i = 0; i < 10; i += 1) {
      for (const event of Object.values(cases))
        await invokeFunction(lambda, trigger.functionName, event);
    }
    for (let i = 0; i < WARM_ITERATIONS; i += 1) {
      for (const [name, event] of Object.entries(cases)) {
        samples
          .get(name)
          ?.push(await time(() => invokeFunction(lambda, trigger.functionName, event)));
      }
    }
    for (const [name, values] of samples) results.push(summary(name, values));

    const poolServer = path.join(ROOT, 'local-pool/dist/server.js');
    const authServer = path.join(ROOT, 'auth-server/dist/server.js');
    if (!existsSync(poolServer) || !existsSync(authServer)) {
      write(
        `(skipping the end-to-end part: ${existsSync(poolServer) ? authServer : poolServer} is not built)`,
      );
    } else {
      results.push(...(await endToEnd(db.adminUrl, trigger, cleanups)));
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
  write('\nUserMigration trigger benchmark (sequential requests, one client, 127.0.0.1)');
  for (const row of results) write(JSON.stringify(row));
}

async function endToEnd(
  adminUrl: string,
  trigger: Awaited<ReturnType<typeof startTriggerInvokeServer>>,
  cleanups: (() => Promise<unknown>)[],
): Promise<Record<string, string | number>[]> {
  const users: SeedLegacyUser[] = Array.from({ length: E2E_USERS }, (_unused, n) => ({
    email: `bench.user.${n}@example.com`,
    password: `Bench-User-${n}-Passw0rd!`,
    name: `Bench User ${n}`,
    hash: n % 5 === 0 ? 'argon2id' : 'bcrypt',
    emailVerified: true,
  }));
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await seedLegacyUsers(admin, users);
  await admin.end();

  // The pool's own scrypt cost, as `npm start` runs it (the test harness lowers it).
  const pool = await startLocalPool({
    lambdaEndpoint: trigger.endpoint,
    passwordHashCost: DEFAULT_PASSWORD_HASH_COST,
  });
  cleanups.push(() => pool.stop());
  const userPool = await createTestUserPool(pool, { userMigrationLambdaArn: trigger.functionArn });
  const auth = await startAuthServer({
    cognitoEndpoint: pool.endpoint,
    userPoolId: userPool.userPoolId,
    clientId: userPool.clientId,
    ...(userPool.clientSecret ? { clientSecret: userPool.clientSecret } : {}),
  });
  cleanups.push(() => auth.process.stop());

  const signIn = async (email: string, password: string) => {
    const response = await fetch(`${auth.url}/v1/api/user/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (response.status !== 200) throw new Error(`sign-in of ${email} answered ${response.status}`);
    await response.json();
  };
  const demo = DEMO_LEGACY_USERS[0];
  if (demo) await signIn(demo.email, demo.password); // warm every hop once

  const first: number[] = [];
  const second: number[] = [];
  // Each user's first and second sign-in back to back: side by side under the same load.
  for (const user of users) {
    first.push(await time(() => signIn(user.email, user.password)));
    second.push(await time(() => signIn(user.email, user.password)));
  }
  return [
    summary('end-to-end first sign-in (migrates: bcrypt 80%, argon2id 20%)', first),
    summary('end-to-end later sign-in (already in the pool, no trigger)', second),
  ];
}

main().catch((error: unknown) => {
  process.stderr.write(
    `benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exitCode = 1;
});
