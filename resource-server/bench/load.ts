/**
 * One load run in its own process, so the load generator never shares an event loop (or a
 * garbage collector) with what it measures: autocannon against one URL, keeping every response
 * time. autocannon's own latency histogram has 1 ms steps, too coarse for "p99 added ≤ 1 ms".
 *
 *   tsx bench/load.ts <url> <seconds> <connections> [authorization header value]
 *
 * Prints one JSON line: `LoadResult`.
 */
import autocannon from 'autocannon';
import { percentile } from '@authstack/shared/testing';

export interface LoadResult {
  requestsPerSecond: number;
  total: number;
  /** Response times in ms, to the microsecond. */
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function main(): Promise<void> {
  const [url, seconds, connections, authorization] = process.argv.slice(2);
  if (!url || !seconds || !connections)
    throw new Error('usage: load.ts <url> <seconds> <connections> [authorization]');
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        duration: Number(seconds),
        connections: Number(connections),
        headers: authorization ? { authorization } : {},
      },
      (error: unknown, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode < 300) times.push(responseTime);
    });
  });
  const sorted = Float64Array.from(times).sort();
  const summary: LoadResult = {
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    non2xx: result.non2xx,
    errors: result.errors,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`load run failed: ${String(error)}\n`);
  process.exit(1);
});
