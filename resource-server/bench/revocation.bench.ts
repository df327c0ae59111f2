/**
 * What do revocation checks cost? In one run, against a real state store (embedded Postgres)
 * holding 100 000 live revocations (60 % users, 30 % sessions, 10 % group removals):
 *
 * 1. Memory and reload: a child process holding a `RevocationFeed` (bench/revocation-holder.ts)
 *    reports its settled RSS before and after the full load and its peak while loading, the
 *    load time, and the full reload after the store drops its connection.
 *    Goals: RSS growth <= 50 MB, full reload <= 2 s.
 * 2. Throughput: two copies of the built server, driven by autocannon in its own process
 *    (bench/load.ts), 50 connections, alternating rounds, medians compared; both are sent the
 *    same cached ID token of a user with no revocation:
 *      off   GET /v1/api/users/me without STATE_DATABASE_URL (revocation checks off)
 *      on    GET /v1/api/users/me with the store, fail-closed, the 100 000 revocations loaded
 *    Goal: on / off >= 0.98x (the median of the ratios of the two within each round). The RSS of the two servers, idle after start-up and after the
 *    load rounds, is printed too: the difference is what the revocations cost a real server,
 *    pg and its connection included (idle, it also holds the young generation the load grew).
 *    The per-request check is also timed in process, which no busy machine can blur.
 *
 * Knobs: BENCH_DURATION_SECONDS (7), BENCH_ROUNDS (5), BENCH_CONNECTIONS (50),
 * BENCH_REVOCATIONS (100000).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createLogger } from '@authstack/shared';
import { createStatePool, RevocationList } from '@authstack/shared/state-store';
import {
  getFreePort,
  startProcess,
  startStateDatabase,
  type StartedProcess,
  type StateDatabase,
} from '@authstack/shared/testing';
import type { VerifiedIdentity } from '../src/domain/cognito-claims';
import { RevocationCheck } from '../src/domain/revocation-check';
import { JwksServer } from '../test/support/jwks-server';
import { createTestKey, idTokenClaims, signedToken } from '../test/support/tokens';
import type { LoadResult } from './load';
import { cpuMicros, load, median, out, peakRssMiB, rssMiB } from './measure';
import type { HolderResult } from './revocation-holder';

const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 7);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const REVOCATIONS = Number(process.env.BENCH_REVOCATIONS ?? 100_000);
const CLIENT_ID = 'benchclient000000000000001';
const ROUTE = '/v1/api/users/me';
const SERVER = path.join(__dirname, '../dist/server.js');
const HOLDER = path.join(__dirname, 'revocation-holder.ts');
const run = promisify(execFile);

/** Idle time after start-up before the servers' RSS is read (V8 gives back its young generation). */
const SETTLE_MS = 8000;
const GOALS = { throughput: 0.98, rssGrowthMB: 50, reloadMs: 2000 };

type TargetName = 'off' | 'on';

interface Target {
  name: TargetName;
  process?: StartedProcess;
  origin?: string;
  rssIdleMiB?: number;
  /** After the load rounds: both young generations grown by the traffic. */
  rssLoadedMiB?: number;
  rps: number[];
  p99: number[];
  cpu: number[];
}

/** Inserts `count` live revocations in one statement (the trigger notifies; nobody listens yet). */
async function insertRevocations(db: StateDatabase, count: number): Promise<number> {
  const pool = createStatePool(db.url, {
    applicationName: 'bench',
    logger: createLogger({ name: 'bench', level: 'silent' }),
    timeoutMs: 120_000,
  });
  const now = Math.floor(Date.now() / 1000);
  const started = performance.now();
  try {
    await pool.query(
      `INSERT INTO revocations (kind, subject, group_name, not_before, expires_at)
       SELECT CASE WHEN i % 10 < 6 THEN 'user' WHEN i % 10 < 9 THEN 'session' ELSE 'group' END,
              gen_random_uuid()::text,
              CASE WHEN i % 10 = 9 THEN 'admin' ELSE '' END,
              $1, $2
         FROM generate_series(1, $3::int) AS i`,
      [now + 1, now + 3600 + 300, count],
    );
  } finally {
    await pool.end();
  }
  return performance.now() - started;
}

/**
 * In-process cost of the per-request check (isRevoked, refusing, current groups) of a user
 * with no revocation, against 100 000 revocations of others, and with checks off; ns per call.
 */
function checkCostNanos(count: number): { on: number; off: number } {
  const randomId = (): string => randomBytes(16).toString('hex'); // flat, like strings from pg
  const list = new RevocationList();
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i += 1) {
    const kind = i % 10 < 6 ? 'user' : i % 10 < 9 ? 'session' : 'group';
    list.apply({
      kind,
      subject: randomId(),
      group: kind === 'group' ? 'admin' : '',
      notBefore: now + 1,
      expiresAt: now + 3900,
    });
  }
  const syncedAt = Date.now();
  const on = new RevocationCheck({
    copy: {
      list,
      stalenessMs: () => Date.now() - syncedAt,
      status: () => ({ state: 'live', stalenessMs: 0, syncedAt: null, revocations: list.size }),
    },
    maxStalenessMs: 60_000,
    failOpen: false,
  });
  const identity: VerifiedIdentity = Object.freeze({
    sub: randomId(),
    tokenUse: 'id',
    username: 'alice',
    email: 'alice@example.com',
    name: 'Alice',
    groups: Object.freeze(['admin']),
    scopes: Object.freeze([]),
    clientId: CLIENT_ID,
    expiresAt: now + 3600,
    issuedAt: now - 60,
    originJti: randomId(),
  });
  const time = (check: RevocationCheck): number => {
    const calls = 2_000_000;
    let admitted = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i += 1) {
      if (!check.isRevoked(identity) && !check.refusing && check.current(identity) === identity) {
        admitted += 1;
      }
    }
    const nanos = Number(process.hrtime.bigint() - start) / calls;
    if (admitted !== calls) throw new Error('the check refused a token it should admit');
    return nanos;
  };
  time(on); // warm-up
  time(RevocationCheck.off());
  return { on: time(on), off: time(RevocationCheck.off()) };
}

async function measureHolder(db: StateDatabase): Promise<HolderResult> {
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', HOLDER], {
    cwd: __dirname,
    env: { ...process.env, STATE_DATABASE_URL: db.url },
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout) as HolderResult;
}

async function startServer(target: Target, jwks: JwksServer, db: StateDatabase): Promise<void> {
  const port = await getFreePort();
  target.origin = `http://127.0.0.1:${port}`;
  target.process = await startProcess({
    script: SERVER,
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      USER_POOL_ID: jwks.poolId,
      USER_POOL_CLIENT_ID: CLIENT_ID,
      TOKEN_ISSUER: jwks.issuer,
      ALLOW_INSECURE_JWKS: 'true',
      STATE_DATABASE_URL: target.name === 'on' ? db.url : undefined,
      LOG_LEVEL: 'warn',
    },
    // For `on`, ready means the revocations are loaded.
    readyUrl: `${target.origin}/readyz`,
    readyTimeoutMs: 60_000,
  });
}

async function main(): Promise<void> {
  out(
    `resource-server revocation bench: Node ${process.version}, ${REVOCATIONS} live revocations, ` +
      `${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s`,
  );
  const db = await startStateDatabase({ migrate: true });
  const jwks = await new JwksServer([createTestKey()]).start();
  const targets: Target[] = [
    { name: 'off', rps: [], p99: [], cpu: [] },
    { name: 'on', rps: [], p99: [], cpu: [] },
  ];
  try {
    const cost = checkCostNanos(REVOCATIONS);
    out(
      `in-process, per request: the revocation check ${cost.on.toFixed(0)} ns with ${REVOCATIONS} revocations held, ${cost.off.toFixed(0)} ns with checks off`,
    );
    const insertMs = await insertRevocations(db, REVOCATIONS);
    out(`inserted ${REVOCATIONS} revocations in ${(insertMs / 1000).toFixed(1)} s`);

    const holder = await measureHolder(db);
    const rssGrowthMiB = holder.rssAfterMiB - holder.rssBeforeMiB;
    const rssGrowthMB = (rssGrowthMiB * 1024 * 1024) / 1e6;
    const reloadMs = Math.max(holder.initialLoadMs, holder.reloadMs);

    const key = jwks.keys[0];
    if (!key) throw new Error('no key');
    const token = signedToken(key, idTokenClaims({ issuer: jwks.issuer, clientId: CLIENT_ID }));
    for (const target of targets) await startServer(target, jwks, db);
    await sleep(SETTLE_MS);
    for (const target of targets) target.rssIdleMiB = rssMiB(target.process?.child.pid ?? 0);
    const ready = (await (await fetch(`${targets[1]?.origin}/readyz`)).json()) as {
      revocations: { entries: number };
    };
    if (ready.revocations.entries !== REVOCATIONS) {
      throw new Error(`the server holds ${ready.revocations.entries} revocations`);
    }

    for (const target of targets) await load(`${target.origin}${ROUTE}`, 2, CONNECTIONS, token);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const target of order) {
        const pid = target.process?.child.pid ?? 0;
        const cpuBefore = cpuMicros(pid);
        const result: LoadResult = await load(
          `${target.origin}${ROUTE}`,
          DURATION,
          CONNECTIONS,
          token,
        );
        if (result.non2xx > 0 || result.errors > 0) {
          throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        }
        target.cpu.push((cpuMicros(pid) - cpuBefore) / result.total);
        target.rps.push(result.requestsPerSecond);
        target.p99.push(result.p99);
        out(
          `  round ${round} revocations ${target.name.padEnd(3)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${result.p99.toFixed(2)} ms  server CPU ${target.cpu.at(-1)?.toFixed(0)} us/req`,
        );
      }
    }

    for (const target of targets) target.rssLoadedMiB = rssMiB(target.process?.child.pid ?? 0);
    const [off, on] = targets as [Target, Target];
    // Each round measures both servers back to back: the ratio within a round is blurred
    // less by a machine whose load drifts than the ratio of the medians.
    const roundRatios = on.rps.map((rps, i) => rps / (off.rps[i] ?? Number.NaN));
    const throughput = median(roundRatios);
    const throughputOfMedians = median(on.rps) / median(off.rps);
    // What the check adds to the server's CPU per request, timed in process: the noise-free view.
    const predicted = median(off.cpu) / (median(off.cpu) + (cost.on - cost.off) / 1000);
    const cpuCapacity = median(off.cpu) / median(on.cpu);
    const serverRssDeltaMiB = (on.rssIdleMiB ?? 0) - (off.rssIdleMiB ?? 0);
    const serverRssDeltaLoadedMiB = (on.rssLoadedMiB ?? 0) - (off.rssLoadedMiB ?? 0);
    const verdict = (ok: boolean) => (ok ? 'meets goal' : 'MISSES goal');
    out();
    out(
      'revocations   req/s (median)   p99 ms   server CPU us/req   RSS idle MiB   RSS after load MiB   peak RSS MiB',
    );
    for (const target of targets) {
      const pid = target.process?.child.pid ?? 0;
      out(
        `${target.name.padEnd(12)} ${median(target.rps).toFixed(0).padStart(15)} ${median(target.p99).toFixed(2).padStart(8)} ${median(target.cpu).toFixed(0).padStart(19)} ${(target.rssIdleMiB ?? 0).toFixed(1).padStart(14)} ${(target.rssLoadedMiB ?? 0).toFixed(1).padStart(20)} ${peakRssMiB(pid).toFixed(1).padStart(14)}`,
      );
    }
    out();
    out(
      `on / off throughput              ${throughput.toFixed(3)}x  (goal >= ${GOALS.throughput}x: ${verdict(throughput >= GOALS.throughput)}); median of the round ratios, which ranged ${Math.min(...roundRatios).toFixed(2)}-${Math.max(...roundRatios).toFixed(2)}x; ratio of the medians ${throughputOfMedians.toFixed(3)}x; by server CPU ${cpuCapacity.toFixed(3)}x`,
    );
    out(
      `the check in process adds ${((cost.on - cost.off) / 1000).toFixed(3)} us to ${median(off.cpu).toFixed(0)} us of server CPU per request: ${predicted.toFixed(4)}x`,
    );
    out(
      `RSS growth, ${holder.entries} revocations  ${rssGrowthMB.toFixed(1)} MB (goal <= ${GOALS.rssGrowthMB} MB: ${verdict(rssGrowthMB <= GOALS.rssGrowthMB)}); heap +${(holder.heapAfterMiB - holder.heapBeforeMiB).toFixed(1)} MiB; peak while loading +${(holder.rssPeakMiB - holder.rssBeforeMiB).toFixed(1)} MiB; a server with them vs checks off: +${serverRssDeltaMiB.toFixed(1)} MiB idle after start-up, +${serverRssDeltaLoadedMiB.toFixed(1)} MiB after the load rounds`,
    );
    out(
      `full reload                      ${reloadMs.toFixed(0)} ms (goal <= ${GOALS.reloadMs} ms: ${verdict(reloadMs <= GOALS.reloadMs)}); first load ${holder.initialLoadMs.toFixed(0)} ms, after a lost connection ${holder.reloadMs.toFixed(0)} ms (RSS then ${holder.rssAfterReloadMiB - holder.rssAfterMiB >= 0 ? '+' : ''}${(holder.rssAfterReloadMiB - holder.rssAfterMiB).toFixed(1)} MiB)`,
    );
    out(
      JSON.stringify({
        bench: 'resource-server-revocations',
        node: process.version,
        revocations: REVOCATIONS,
        connections: CONNECTIONS,
        durationSeconds: DURATION,
        rounds: ROUNDS,
        throughputOnVsOff: throughput,
        throughputOnVsOffRange: [Math.min(...roundRatios), Math.max(...roundRatios)],
        throughputOfMedians,
        predictedFromCheckCost: predicted,
        cpuCapacityOnVsOff: cpuCapacity,
        rssGrowthMiB,
        rssPeakGrowthMiB: holder.rssPeakMiB - holder.rssBeforeMiB,
        heapGrowthMiB: holder.heapAfterMiB - holder.heapBeforeMiB,
        serverRssDeltaMiB,
        serverRssDeltaLoadedMiB,
        checkNanosOn: cost.on,
        checkNanosOff: cost.off,
        initialLoadMs: holder.initialLoadMs,
        reloadMs: holder.reloadMs,
        rssAfterReloadGrowthMiB: holder.rssAfterReloadMiB - holder.rssAfterMiB,
      }),
    );
  } finally {
    await Promise.all(targets.map((target) => target.process?.stop()));
    await jwks.stop();
    await db.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exit(1);
});
