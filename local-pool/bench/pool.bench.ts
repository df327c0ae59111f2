/**
 * InitiateAuth (USER_PASSWORD_AUTH) and GetUser latency over 200 sequential calls each
 * through the AWS SDK against a real local-pool process, and the process's RSS after.
 * Run: npm run bench -w @authstack/local-pool (after npm run build).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { GetUserCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DEFAULT_PASSWORD_HASH_COST, PasswordHasher } from '../src/domain/passwords';
import { benchHeader, percentile } from '@authstack/shared/testing';
import { createTestUserPool, startLocalPool } from '../src/testing';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
} from '@aws-sdk/client-cognito-identity-provider';

const CALLS = 200;
const WARM_UP = 10;
const EMAIL = 'bench@example.com';
const PASSWORD = 'Bench-Passw0rd!';

async function measure(
  call: () => Promise<unknown>,
  calls = CALLS,
): Promise<{ median: number; p99: number }> {
  for (let i = 0; i < WARM_UP; i += 1) await call();
  const samples: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    const start = performance.now();
    await call();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const at = (p: number) => Number(percentile(samples, p).toFixed(2));
  return { median: at(50), p99: at(99) };
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Number((kib / 1024).toFixed(1));
}

async function main(): Promise<void> {
  process.stdout.write(`${benchHeader('local pool bench')}\n`);
  // The cost `npm start` runs with, not the tests' lower one.
  const pool = await startLocalPool({ passwordHashCost: DEFAULT_PASSWORD_HASH_COST });
  try {
    const userPool = await createTestUserPool(pool);
    await pool.client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPool.userPoolId,
        Username: EMAIL,
        MessageAction: 'SUPPRESS',
      }),
    );
    await pool.client.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPool.userPoolId,
        Username: EMAIL,
        Password: PASSWORD,
        Permanent: true,
      }),
    );
    const signIn = () =>
      pool.client.send(
        new InitiateAuthCommand({
          ClientId: userPool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: EMAIL, PASSWORD },
        }),
      );
    const accessToken = (await signIn()).AuthenticationResult?.AccessToken ?? '';
    const initiateAuth = await measure(signIn);
    const getUser = await measure(() =>
      pool.client.send(new GetUserCommand({ AccessToken: accessToken })),
    );
    const pid = pool.process.child.pid ?? 0;
    const poolRssMiB = rssMiB(pid);
    // The scrypt every InitiateAuth runs, alone in this process: the floor of a sign-in.
    const scrypt = await measure(() => new PasswordHasher().hash(PASSWORD), 50);
    const result = {
      calls: CALLS,
      initiateAuthMs: initiateAuth,
      getUserMs: getUser,
      scryptAloneMs: scrypt,
      poolRssMiB,
      loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.stdout.write(
      `local-pool: InitiateAuth median ${initiateAuth.median} ms, p99 ${initiateAuth.p99} ms; ` +
        `GetUser median ${getUser.median} ms, p99 ${getUser.p99} ms; scrypt alone median ${scrypt.median} ms; ` +
        `pool RSS ${poolRssMiB} MiB after ${CALLS * 2 + WARM_UP * 2} calls (load ${result.loadAverage1m})\n`,
    );
  } finally {
    await pool.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exit(1);
});
