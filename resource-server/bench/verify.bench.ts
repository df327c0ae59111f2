/**
 * What does token verification cost per request? Copies of the built server (same config,
 * helmet and request logging, LOG_LEVEL=info: a request-log line per request, as in
 * production) are driven by autocannon in a separate process (bench/load.ts), 50 connections,
 * in alternating rounds; medians are compared:
 *   cached        GET /v1/api/users/me with the verified-token cache (the default), metrics on
 *                 (the default: GET /metrics and the counting behind it)
 *   metrics-off   the same with METRICS_ENABLED=false: what the metrics cost side by side
 *   unprotected   GET /v1/api/ping, which ignores the (same) Authorization header
 *   per-request   GET /v1/api/users/me with the cache off: aws-jwt-verify on every request
 *   bare-express  GET /v1/api/ping of a bare Express 5 app (bench/bare-express.ts): the floor,
 *                 to show what helmet, logging and routing cost next to the middleware
 *   traced        `cached` with tracing on: every request sampled (OTEL_TRACES_SAMPLER=always_on),
 *                 its spans batched and exported over OTLP/HTTP (protobuf, the default protocol)
 *                 to a sink in this process that reads and discards them (scripts/testing/
 *                 otlp-sink.ts): what tracing costs, next to `cached` where it is off
 *   unlogged      GET /v1/api/ping at LOG_LEVEL=warn: no request-log line, so that the servers'
 *                 write system calls tell how many request-log lines go in one write
 * The request-log line is also timed in process (`requestLineMicros`): the goal is ≤ 8 µs.
 * Tokens are signed with a key made here; the JWKS is served from this process, so no pool
 * is needed. Knobs: BENCH_DURATION_SECONDS (7), BENCH_ROUNDS (5), BENCH_CONNECTIONS (50).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { getFreePort, startProcess, type StartedProcess } from '@authstack/shared/testing';
import { BufferedDestination, createLogger, unredacted, type Logger } from '@authstack/shared';
import { TokenVerifier } from '../src/domain/token-verifier';
import { JwksServer } from '../test/support/jwks-server';
import { inMemoryJwks, verifierOptions } from '../test/support/verifier-options';
import { createTestKey, idTokenClaims, signedToken, type TestKey } from '../test/support/tokens';
import { startOtlpSink } from '../../scripts/testing/otlp-sink';
import { cpuMicros, load as loadRun, median, out, peakRssMiB } from './measure';
import type { LoadResult } from './load';

const DURATION = Number(process.env.BENCH_DURATION_SECONDS ?? 7);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CLIENT_ID = 'benchclient000000000000001';
const SERVER = path.join(__dirname, '../dist/server.js');
const BARE_EXPRESS = path.join(__dirname, 'bare-express.ts');

type TargetName =
  'cached' | 'metrics-off' | 'unprotected' | 'per-request' | 'bare-express' | 'unlogged' | 'traced';

interface Target {
  name: TargetName;
  path: string;
  process?: StartedProcess;
  origin?: string;
  rps: number[];
  p50: number[];
  p99: number[];
  /** Server CPU time per request served, in microseconds: steadier than req/s on a busy machine. */
  cpu: number[];
  /** The server's write system calls per request served (responses and log lines). */
  writes: number[];
}

const load = (url: string, seconds: number, token: string): Promise<LoadResult> =>
  loadRun(url, seconds, CONNECTIONS, token);

/** In-process cost of one call, full verification vs cache hit, in microseconds. */
async function verifierCostMicros(key: TestKey): Promise<{ verify: number; cached: number }> {
  const issuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench1';
  const verifier = new TokenVerifier(
    verifierOptions(
      { issuer, clientIds: [CLIENT_ID], source: inMemoryJwks(key) },
      { tokenCacheMax: 100, logger: createLogger({ name: 'bench', level: 'silent' }) },
    ),
  );
  await verifier.load();
  const tokens = Array.from({ length: 2000 }, (_, i) =>
    signedToken(key, idTokenClaims({ issuer, clientId: CLIENT_ID }, { jti: `jti-${i}` })),
  );
  const micros = (start: bigint, calls: number) =>
    Number(process.hrtime.bigint() - start) / calls / 1000;
  for (const token of tokens.slice(0, 200)) await verifier.verify(token);
  let start = process.hrtime.bigint();
  for (const token of tokens) await verifier.verify(token); // distinct tokens: always a full verification
  const verify = micros(start, tokens.length);
  const repeated = tokens[0] as string;
  start = process.hrtime.bigint();
  for (let i = 0; i < 100_000; i += 1) verifier.cached(repeated);
  return { verify, cached: micros(start, 100_000) };
}

/** Write system calls a process has made so far (Linux). */
const writeSyscalls = (pid: number): number =>
  Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? Number.NaN);

/**
 * In-process cost of one request-log line, in microseconds, with `perTurn` lines logged in each
 * event-loop turn (the destination writes them together when the turn ends): the line as
 * `requestContext` writes it, through the unredacted logger into the buffered destination
 * (on /dev/null), against the same line the way it was written before, through the redacting
 * logger with a synchronous write per line. The cost of the turns themselves is taken out.
 */
async function requestLineMicros(perTurn: number): Promise<{ now: number; before: number }> {
  const LINES = 100_000;
  const line = {
    requestId: randomUUID(),
    req: { method: 'GET', path: '/v1/api/users/me', remoteAddress: '127.0.0.1' },
    res: { statusCode: 200 },
    durationMs: 0.412,
    sub: randomUUID(),
  };
  const devNull = openSync('/dev/null', 'w');
  const now = unredacted(
    createLogger({ name: 'resource-server', destination: new BufferedDestination('/dev/null') }),
  );
  const before = createLogger({
    name: 'resource-server',
    destination: { write: (text: string) => void writeSync(devNull, text) },
  });
  const timeLines = async (logger: Logger | undefined): Promise<number> => {
    const start = process.hrtime.bigint();
    for (let logged = 0; logged < LINES; logged += perTurn) {
      for (let i = 0; i < perTurn; i += 1) logger?.info(line, 'request completed');
      await new Promise(setImmediate);
    }
    return Number(process.hrtime.bigint() - start) / LINES / 1000;
  };
  await timeLines(now);
  await timeLines(before);
  const turns = await timeLines(undefined);
  const result = { now: (await timeLines(now)) - turns, before: (await timeLines(before)) - turns };
  closeSync(devNull);
  return result;
}

async function main(): Promise<void> {
  const key = createTestKey();
  const jwks = await new JwksServer([key]).start();
  const token = signedToken(key, idTokenClaims({ issuer: jwks.issuer, clientId: CLIENT_ID }));
  const cost = await verifierCostMicros(key);
  const otlpSink = await startOtlpSink({ keep: false });
  /** Spans the traced server's batch processor dropped from its full queue (it warns how many). */
  let droppedSpans = 0;
  const makeTarget = (name: TargetName, route: string): Target => ({
    name,
    path: route,
    rps: [],
    p50: [],
    p99: [],
    cpu: [],
    writes: [],
  });
  // Every target gets the same Authorization header, so the bytes on the wire and the header
  // parsing are equal and only the work on the server differs.
  const targets = [
    makeTarget('cached', '/v1/api/users/me'),
    makeTarget('metrics-off', '/v1/api/users/me'),
    makeTarget('unprotected', '/v1/api/ping'),
    makeTarget('per-request', '/v1/api/users/me'),
    makeTarget('bare-express', '/v1/api/ping'),
    makeTarget('unlogged', '/v1/api/ping'),
    makeTarget('traced', '/v1/api/users/me'),
  ];
  try {
    for (const target of targets) {
      const port = await getFreePort();
      target.origin = `http://127.0.0.1:${port}`;
      target.process =
        target.name === 'bare-express'
          ? await startProcess({
              script: BARE_EXPRESS,
              nodeArgs: ['--import', 'tsx'],
              cwd: __dirname,
              env: { PORT: String(port) },
              readyUrl: `${target.origin}${target.path}`,
            })
          : await startProcess({
              script: SERVER,
              env: {
                HOST: '127.0.0.1',
                PORT: String(port),
                USER_POOL_ID: jwks.poolId,
                USER_POOL_CLIENT_ID: CLIENT_ID,
                TOKEN_ISSUER: jwks.issuer,
                ALLOW_INSECURE_JWKS: 'true',
                TOKEN_CACHE_MAX: target.name === 'per-request' ? '0' : '10000',
                METRICS_ENABLED: target.name === 'metrics-off' ? 'false' : 'true',
                ...(target.name === 'traced'
                  ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlpSink.url, OTEL_TRACES_SAMPLER: 'always_on' }
                  : {}),
                LOG_LEVEL: target.name === 'unlogged' ? 'warn' : 'info',
              },
              readyUrl: `${target.origin}/readyz`,
            });
      // A line per request at LOG_LEVEL=info: read stdout (a pipe, as in production), keep none.
      target.process.child.stdout?.removeAllListeners('data').resume();
      if (target.name === 'traced') {
        target.process.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
          for (const [, count] of chunk.matchAll(/Dropped (\d+) spans/g))
            droppedSpans += Number(count);
        });
      }
    }
    out(`node ${process.version}`);
    out(
      `resource-server verification bench: ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION} s`,
    );
    out(
      `in-process, per call: full verification ${cost.verify.toFixed(1)} us, cache hit ${cost.cached.toFixed(1)} us (${(cost.verify / cost.cached).toFixed(0)}x cheaper)`,
    );
    for (const target of targets) await load(`${target.origin}${target.path}`, 2, token);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const target of order) {
        const pid = target.process?.child.pid ?? 0;
        const cpuBefore = cpuMicros(pid);
        const writesBefore = writeSyscalls(pid);
        const result = await load(`${target.origin}${target.path}`, DURATION, token);
        target.cpu.push((cpuMicros(pid) - cpuBefore) / result.total);
        target.writes.push((writeSyscalls(pid) - writesBefore) / result.total);
        if (result.non2xx > 0 || result.errors > 0) {
          throw new Error(`${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        }
        target.rps.push(result.requestsPerSecond);
        target.p50.push(result.p50);
        target.p99.push(result.p99);
        out(
          `  round ${round} ${target.name.padEnd(12)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${result.p99.toFixed(2)} ms  server CPU ${target.cpu.at(-1)?.toFixed(0)} us/req`,
        );
      }
    }

    const [cached, metricsOff, open, perRequest, bare] = targets as [
      Target,
      Target,
      Target,
      Target,
      Target,
    ];
    const traced = targets.find((target) => target.name === 'traced') as Target;
    const rss = new Map(targets.map((t) => [t.name, peakRssMiB(t.process?.child.pid ?? 0)]));
    out();
    out('target        req/s (median)   p50 ms   p99 ms   server CPU us/req   peak RSS MiB');
    for (const target of targets) {
      out(
        `${target.name.padEnd(12)} ${median(target.rps).toFixed(0).padStart(14)} ${median(target.p50).toFixed(2).padStart(8)} ${median(target.p99).toFixed(2).padStart(8)} ${median(target.cpu).toFixed(0).padStart(19)} ${(rss.get(target.name) ?? 0).toFixed(1).padStart(14)}`,
      );
    }
    // Server CPU per request, split: the floor, what the server adds to it, and the middleware.
    const floorMicros = median(bare.cpu);
    const serverMicros = median(open.cpu) - floorMicros;
    const cacheHitMicros = median(cached.cpu) - median(open.cpu);
    const verifyMicros = median(perRequest.cpu) - median(open.cpu);
    const ratios = {
      metricsOnVsOff: median(cached.rps) / median(metricsOff.rps),
      metricsCpuCapacityOnVsOff: median(metricsOff.cpu) / median(cached.cpu),
      cachedVsUnprotected: median(cached.rps) / median(open.rps),
      cachedVsPerRequest: median(cached.rps) / median(perRequest.rps),
      p99AddedMs: median(cached.p99) - median(open.p99),
      rssVsUnprotected: (rss.get('cached') ?? 0) / (rss.get('unprotected') ?? 1),
      cpuCapacityVsUnprotected: median(open.cpu) / median(cached.cpu),
      cpuCapacityVsPerRequest: median(perRequest.cpu) / median(cached.cpu),
      cpuCapacityVsPerRequestOnBareExpress:
        (floorMicros + verifyMicros) / (floorMicros + cacheHitMicros),
      tracingOnVsOff: median(traced.rps) / median(cached.rps),
      tracingCpuCapacityOnVsOff: median(cached.cpu) / median(traced.cpu),
      tracingP99AddedMs: median(traced.p99) - median(cached.p99),
    };
    const exported = otlpSink.received();
    out();
    const verdict = (ok: boolean) => (ok ? 'meets goal' : 'MISSES goal');
    out(
      `metrics on / off throughput      ${ratios.metricsOnVsOff.toFixed(3)}x  (goal >= 0.97x: ${verdict(ratios.metricsOnVsOff >= 0.97)}; by server CPU ${ratios.metricsCpuCapacityOnVsOff.toFixed(3)}x)`,
    );
    out(
      `cached / unprotected throughput  ${ratios.cachedVsUnprotected.toFixed(2)}x  (goal >= 0.95x: ${verdict(ratios.cachedVsUnprotected >= 0.95)}; at LOG_LEVEL=info; by server CPU ${ratios.cpuCapacityVsUnprotected.toFixed(2)}x)`,
    );
    out(
      `cached / per-request throughput  ${ratios.cachedVsPerRequest.toFixed(2)}x  (goal >= 1.8x: ${verdict(ratios.cachedVsPerRequest >= 1.8)})`,
    );
    out(
      `p99 added by the middleware      ${ratios.p99AddedMs.toFixed(2)} ms (goal <= 1 ms: ${verdict(ratios.p99AddedMs <= 1)})`,
    );
    out(
      `peak RSS cached / unprotected    ${ratios.rssVsUnprotected.toFixed(2)}x  (goal <= 1.2x: ${verdict(ratios.rssVsUnprotected <= 1.2)})`,
    );
    out(
      `tracing on / off throughput      ${ratios.tracingOnVsOff.toFixed(3)}x  (by server CPU ${ratios.tracingCpuCapacityOnVsOff.toFixed(3)}x; p99 added ${ratios.tracingP99AddedMs.toFixed(2)} ms; ${exported.exports} OTLP exports, ${(exported.bytes / 1024 / 1024).toFixed(1)} MiB; ${droppedSpans} spans dropped from a full queue)`,
    );
    // The servers' own batching under load: /ping's write system calls at info minus at warn.
    const unlogged = targets.find((target) => target.name === 'unlogged') as Target;
    const logWritesPerLine = median(open.writes) - median(unlogged.writes);
    const linesPerWrite =
      logWritesPerLine > 0 ? Math.min(64, Math.max(1, Math.round(1 / logWritesPerLine))) : 64;
    const requestLine = await requestLineMicros(linesPerWrite);
    const lineAlone = await requestLineMicros(1);
    const logCpuMicros = median(open.cpu) - median(unlogged.cpu);
    out(
      `request-log line                 ${requestLine.now.toFixed(1)} us (goal <= 8 us: ${verdict(requestLine.now <= 8)}; in process, ${linesPerWrite} lines per write as the servers wrote them under load; ${requestLine.before.toFixed(1)} us the way it was written before)`,
    );
    out(
      `  alone in its turn (an idle server, a write per line) ${lineAlone.now.toFixed(1)} us, before ${lineAlone.before.toFixed(1)} us; in the servers, /ping at info vs warn: ${logCpuMicros.toFixed(0)} us of CPU per request, ${logWritesPerLine.toFixed(3)} log writes per request`,
    );
    out();
    out(
      `server CPU per request: bare Express 5 ${floorMicros.toFixed(0)} us; helmet, request log and routing add ${serverMicros.toFixed(0)} us; then a cache hit adds ${cacheHitMicros.toFixed(0)} us, a full verification ${verifyMicros.toFixed(0)} us`,
    );
    out(
      `cached / per-request by CPU: ${ratios.cpuCapacityVsPerRequest.toFixed(2)}x on this server; ${ratios.cpuCapacityVsPerRequestOnBareExpress.toFixed(2)}x if the middleware sat on bare Express 5`,
    );
    out(
      JSON.stringify({
        bench: 'resource-server',
        connections: CONNECTIONS,
        durationSeconds: DURATION,
        rounds: ROUNDS,
        verifyMicrosInProcess: cost.verify,
        cacheHitMicrosInProcess: cost.cached,
        serverMicros: {
          floor: floorMicros,
          server: serverMicros,
          cacheHit: cacheHitMicros,
          verify: verifyMicros,
        },
        ...ratios,
        tracing: { ...exported, droppedSpans },
        requestLine: {
          micros: requestLine.now,
          microsBefore: requestLine.before,
          linesPerWrite,
          microsAlone: lineAlone.now,
          microsAloneBefore: lineAlone.before,
          serverCpuMicros: logCpuMicros,
        },
      }),
    );
  } finally {
    await Promise.all(targets.map((target) => target.process?.stop()));
    await Promise.all([jwks.stop(), otlpSink.stop()]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exit(1);
});
