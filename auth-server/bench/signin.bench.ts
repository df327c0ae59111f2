/**
 * Sign-in through the auth-server vs the same InitiateAuth (USER_PASSWORD_AUTH) sent
 * straight to the local pool with the SDK. The two alternate call by call, so a busy
 * machine slows both alike; each run gives a p50 and p99 per side, and the figures
 * printed are the medians over the runs, plus the median of the paired differences.
 * The pool's password hashing makes every sign-in slow and noisy, so the same is done
 * for `GET /user/me` vs its GetUser + AdminListGroupsForUser sent directly: no
 * hashing, so what the server itself adds shows plainly.
 * Run with `npm run bench -w @authstack/auth-server` (after `npm run build`).
 * BENCH_RUNS and BENCH_CALLS change the sample size.
 */
import { Agent, request } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  AdminListGroupsForUserCommand,
  GetUserCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createTestUserPool, startLocalPool } from '@authstack/local-pool/testing';
import { createLogger } from '@authstack/shared';
import { benchHeader, getFreePort, percentile, startProcess } from '@authstack/shared/testing';

const RUNS = Number(process.env.BENCH_RUNS ?? 6);
const CALLS = Number(process.env.BENCH_CALLS ?? 40);
const WARM_UP = 10;
const EMAIL = 'bench@example.com';
const PASSWORD = 'Bench-Passw0rd!';

const logger = createLogger({ name: 'auth-server-bench' });

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

function median(values: number[]): number {
  return percentile(sorted(values), 50);
}

async function timed(call: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await call();
  return performance.now() - start;
}

interface Run {
  direct: number[];
  server: number[];
}

/** `calls` pairs of one direct call and one call through the server, in alternating order. */
async function alternatingRun(
  calls: number,
  direct: () => Promise<void>,
  server: () => Promise<void>,
): Promise<Run> {
  const run: Run = { direct: [], server: [] };
  for (let i = 0; i < calls; i += 1) {
    if (i % 2 === 0) {
      run.direct.push(await timed(direct));
      run.server.push(await timed(server));
    } else {
      run.server.push(await timed(server));
      run.direct.push(await timed(direct));
    }
  }
  return run;
}

function send(
  agent: Agent,
  url: URL,
  headers: Record<string, string>,
  body?: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent,
        headers:
          body === undefined
            ? headers
            : {
                ...headers,
                'Content-Type': 'application/json',
                'Content-Length': Buffer.byteLength(body),
              },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve()
            : reject(new Error(`sign-in answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const ms = (value: number) => `${value.toFixed(2)} ms`.padStart(10);

/** Runs `direct` and `server` in alternating pairs and prints what the server adds. */
async function compare(
  title: string,
  labels: { direct: string; server: string },
  direct: () => Promise<void>,
  server: () => Promise<void>,
): Promise<void> {
  await alternatingRun(WARM_UP, direct, server);
  const runs: Run[] = [];
  for (let run = 0; run < RUNS; run += 1) runs.push(await alternatingRun(CALLS, direct, server));
  const summary = (side: keyof Run) => ({
    p50: median(runs.map((run) => percentile(sorted(run[side]), 50))),
    p99: median(runs.map((run) => percentile(sorted(run[side]), 99))),
  });
  const directStats = summary('direct');
  const serverStats = summary('server');
  const pairedDifference = median(
    runs.flatMap((run) => run.server.map((value, i) => value - (run.direct[i] ?? Number.NaN))),
  );
  const lines = [
    `${title}: ${RUNS} runs x ${CALLS} alternating pairs (medians over the runs)`,
    `  ${labels.direct.padEnd(44)} p50 ${ms(directStats.p50)}   p99 ${ms(directStats.p99)}`,
    `  ${labels.server.padEnd(44)} p50 ${ms(serverStats.p50)}   p99 ${ms(serverStats.p99)}`,
    `  ${'added by the auth-server'.padEnd(44)} p50 ${ms(serverStats.p50 - directStats.p50)}   p99 ${ms(serverStats.p99 - directStats.p99)}`,
    `  ${'median of the paired differences'.padEnd(44)}     ${ms(pairedDifference)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  process.stdout.write(`${benchHeader('auth-server sign-in bench')}\n`);
  const pool = await startLocalPool();
  const userPool = await createTestUserPool(pool);
  const port = await getFreePort();
  const server = await startProcess({
    script: path.join(__dirname, '../dist/server.js'),
    env: {
      PORT: String(port),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      COGNITO_ENDPOINT: pool.endpoint,
      USER_POOL_ID: userPool.userPoolId,
      USER_POOL_CLIENT_ID: userPool.clientId,
      SIGNIN_MAX_FAILURES_PER_EMAIL: '0',
      SIGNIN_MAX_FAILURES_PER_IP: '0',
      ACCOUNT_MAX_REQUESTS_PER_IP: '0',
      LOG_LEVEL: 'warn',
    },
    readyUrl: `http://127.0.0.1:${port}/readyz`,
  });
  try {
    const signUp = await fetch(`http://127.0.0.1:${port}/v1/api/user`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: EMAIL, name: 'Bench', password: PASSWORD }),
    });
    if (signUp.status !== 201) throw new Error(`sign-up answered ${signUp.status}`);

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const base = `http://127.0.0.1:${port}/v1/api`;
    const credentials = JSON.stringify({ email: EMAIL, password: PASSWORD });
    await compare(
      'sign-in (goal: p50 added <= 2 ms)',
      {
        direct: 'InitiateAuth straight to the pool',
        server: 'POST /v1/api/user/signin via the server',
      },
      async () => {
        await pool.client.send(
          new InitiateAuthCommand({
            ClientId: userPool.clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: EMAIL, PASSWORD },
          }),
        );
      },
      () => send(agent, new URL(`${base}/user/signin`), {}, credentials),
    );

    const { accessToken } = (await signUp.json()) as { accessToken: string };
    await compare(
      'me, no password hashing',
      {
        direct: 'GetUser + AdminListGroupsForUser direct',
        server: 'GET /v1/api/user/me via the server',
      },
      async () => {
        const user = await pool.client.send(new GetUserCommand({ AccessToken: accessToken }));
        await pool.client.send(
          new AdminListGroupsForUserCommand({
            UserPoolId: userPool.userPoolId,
            Username: user.Username,
          }),
        );
      },
      () => send(agent, new URL(`${base}/user/me`), { Authorization: `Bearer ${accessToken}` }),
    );
    agent.destroy();
  } finally {
    await server.stop();
    await pool.stop();
  }
}

main().catch((error: unknown) => {
  logger.error({ err: error }, 'benchmark failed');
  process.exitCode = 1;
});
