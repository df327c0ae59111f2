/**
 * How fast does a sign-out reach every resource-server? A real state store (embedded
 * Postgres), a real local pool, one auth-server and two resource-servers (built, as
 * processes). For each of BENCH_SIGNOUTS users: POST /user/signout, and from its 204 poll
 * both resource-servers back to back with the user's ID token until both answer 401.
 * Prints p50 and p99 of that propagation time against the goal (p99 ≤ 250 ms locally).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestUserPool, startLocalPool } from '@authstack/local-pool/testing';
import { benchHeader, percentile, startStateDatabase } from '@authstack/shared/testing';
import { call, startAuthServer, startResourceServer, type ServerProcess } from '../testing/servers';

const SIGNOUTS = Number(process.env.BENCH_SIGNOUTS ?? 200);
const GOAL_P99_MS = 250;
const PASSWORD = 'Correct-Horse-9!';
const out = (line = ''): boolean => process.stdout.write(`${line}\n`);

/** Milliseconds from now until `server` refuses `token` (polled back to back). */
async function refusedAfter(server: ServerProcess, token: string, from: number): Promise<number> {
  for (;;) {
    const { status } = await call('GET', `${server.api}/users/me`, { token });
    if (status === 401) return performance.now() - from;
    if (status !== 200) throw new Error(`resource-server answered ${status}`);
    if (performance.now() - from > 10_000) throw new Error('not refused within 10 s');
  }
}

async function main(): Promise<void> {
  out(benchHeader(`revocation propagation: ${SIGNOUTS} sign-outs`));
  const [db, pool] = await Promise.all([startStateDatabase(), startLocalPool()]);
  const userPool = await createTestUserPool(pool);
  const options = { poolEndpoint: pool.endpoint, userPool, stateDatabaseUrl: db.url };
  const quiet = { LOG_LEVEL: 'warn' };
  const [auth, ...resource] = await Promise.all([
    startAuthServer({ ...options, env: { ...quiet, ACCOUNT_MAX_REQUESTS_PER_IP: '0' } }),
    startResourceServer({ ...options, env: quiet }),
    startResourceServer({ ...options, env: quiet }),
  ]);
  try {
    const users: { idToken: string; accessToken: string }[] = [];
    for (let index = 0; index < SIGNOUTS; index += 1) {
      const signedUp = await call('POST', `${auth.api}/user`, {
        body: {
          email: `bench.${Date.now()}.${index}@example.com`,
          name: 'Bench',
          password: PASSWORD,
        },
      });
      if (signedUp.status !== 201) throw new Error(`sign-up answered ${signedUp.status}`);
      users.push(signedUp.body as unknown as { idToken: string; accessToken: string });
    }
    // Tokens issued in the same second as their sign-up are fine to sign out at once.
    await sleep(1_000);
    const times: number[] = [];
    for (const user of users) {
      const signedOut = await call('POST', `${auth.api}/user/signout`, { token: user.accessToken });
      const at = performance.now();
      if (signedOut.status !== 204) throw new Error(`sign-out answered ${signedOut.status}`);
      const each = await Promise.all(
        resource.map((server) => refusedAfter(server, user.idToken, at)),
      );
      times.push(Math.max(...each));
    }
    times.sort((a, b) => a - b);
    const p50 = percentile(times, 50);
    const p99 = percentile(times, 99);
    out(`sign-out 204 → refused by both resource-servers (ms), n=${times.length}`);
    out(
      `  p50 ${p50.toFixed(2)}   p99 ${p99.toFixed(2)}   max ${(times.at(-1) ?? Number.NaN).toFixed(2)}`,
    );
    out(`  goal p99 ≤ ${GOAL_P99_MS} ms: ${p99 <= GOAL_P99_MS ? 'met' : 'MISSED'}`);
  } finally {
    await Promise.all([auth, ...resource].map((server) => server?.stop()));
    await pool.stop();
    await db.stop();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
