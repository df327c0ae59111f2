/**
 * Holds a `RevocationFeed` in a process of its own, as a resource-server does, and measures
 * what the live revocations cost it: resident memory before and after the first full load,
 * each settled (a full GC, then idle long enough for V8 to give back the young generation
 * that a burst of allocation grew), the peak during the load, the load time, and the time
 * of the full reload that follows a lost connection. Run with `--expose-gc`;
 * STATE_DATABASE_URL names the store.
 *
 *   node --expose-gc --import tsx bench/revocation-holder.ts
 *
 * Prints one JSON line: `HolderResult`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@authstack/shared';
import { createStatePool, RevocationFeed } from '@authstack/shared/state-store';
import { LogCapture } from '@authstack/shared/testing';
import { peakRssMiB } from './measure';

export interface HolderResult {
  entries: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** Highest RSS while loading (VmHWM), before V8 gave the young generation back. */
  rssPeakMiB: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
  /** The feed's own figure: the SELECT of every live revocation and applying it. */
  initialLoadMs: number;
  /** The same after the store dropped the connection (the list already full). */
  reloadMs: number;
  /** Settled RSS after that reload: a reload must not add to what the first load took. */
  rssAfterReloadMiB: number;
}

const APPLICATION_NAME = 'bench-revocation-holder';
const MiB = 1024 * 1024;

/** How long V8's memory reducer needs, once idle, to shrink the young generation. */
const SETTLE_MS = 8000;

async function settle(): Promise<{ rss: number; heap: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc(); // a full GC starts V8's memory reducer, which shrinks the heap once the process idles
  await sleep(SETTLE_MS);
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: rss / MiB, heap: heapUsed / MiB };
}

async function durationOf(logs: LogCapture, message: string): Promise<number> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(10)) {
    const line = logs.records().find((record) => record.msg === message);
    if (line) return Number(line.durationMs);
  }
  throw new Error(`no "${message}" within 30 s`);
}

async function main(): Promise<void> {
  const databaseUrl = process.env.STATE_DATABASE_URL;
  if (!databaseUrl) throw new Error('STATE_DATABASE_URL is not set');
  const logs = new LogCapture();
  const logger = createLogger({ name: 'bench', level: 'info', destination: logs });
  const feed = new RevocationFeed({
    databaseUrl,
    logger,
    applicationName: APPLICATION_NAME,
    retryMs: 50,
  });
  const before = await settle();
  await feed.start();
  const initialLoadMs = await durationOf(logs, 'revocations loaded');
  const rssPeakMiB = peakRssMiB(process.pid);
  const after = await settle();

  const admin = createStatePool(databaseUrl, { applicationName: 'bench', logger, max: 1 });
  await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
    [APPLICATION_NAME],
  );
  await admin.end();
  const reloadMs = await durationOf(logs, 'revocation feed reconnected; full reload done');
  const afterReload = await settle();

  const result: HolderResult = {
    entries: feed.list.size,
    rssBeforeMiB: before.rss,
    rssAfterMiB: after.rss,
    rssPeakMiB,
    heapBeforeMiB: before.heap,
    heapAfterMiB: after.heap,
    initialLoadMs,
    reloadMs,
    rssAfterReloadMiB: afterReload.rss,
  };
  await feed.stop();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`revocation holder failed: ${String(error)}\n`);
  process.exit(1);
});
