import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `url` until it answers 200 or `timeoutMs` passes. */
export async function waitForHttp(
  url: string,
  timeoutMs = 20_000,
  isAlive = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`process exited before ${url} answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
      lastError = new Error(`${url} answered ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await sleep(50);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}
