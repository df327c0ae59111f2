import type { Logger } from '@authstack/shared';
import { LegacyStoreTimeoutError, LegacyStoreUnavailableError } from './errors';
import type { LegacyUserSource } from './legacy-user-source';

/** The longest address either trigger looks up (RFC 5321's path limit). */
export const MAX_EMAIL_LENGTH = 254;

/** Whether a (lower-cased) address is in an allowed domain; an empty list allows any. */
export function emailDomainAllowed(email: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return allowed.includes(domain);
}

/** Told how long each legacy-store call took, failed ones included: the invocation's metrics. */
export interface LegacyStoreMetrics {
  legacyStoreLatency(milliseconds: number): void;
}

/** For a store call made outside an invocation (the readiness check): times nothing. */
export const UNTIMED: LegacyStoreMetrics = { legacyStoreLatency: () => undefined };

export interface LegacyStoreCallOptions {
  timeoutMs: number;
  logger: Logger;
  metrics: LegacyStoreMetrics;
}

/**
 * Runs one legacy-store call under `timeoutMs` and reports its duration to `metrics`.
 * Faults and timeouts are logged (type, code and message only: never parameters) and
 * become `LegacyStoreUnavailableError`.
 */
export async function callLegacyStore<T>(
  { timeoutMs, logger, metrics }: LegacyStoreCallOptions,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new LegacyStoreTimeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  const started = performance.now();
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } catch (error) {
    const { name, message, code } = error as { name?: string; message?: string; code?: unknown };
    logger.error(
      {
        outcome: 'store_unavailable',
        errorType: name,
        errorMessage: message,
        ...(typeof code === 'string' ? { errorCode: code } : {}),
        durationMs: Math.round(performance.now() - started),
      },
      'legacy user store unavailable',
    );
    throw new LegacyStoreUnavailableError({ cause: error });
  } finally {
    clearTimeout(timer);
    metrics.legacyStoreLatency(performance.now() - started);
  }
}

/**
 * Whether the legacy store answers within `timeoutMs`: the local invoke server's readiness.
 * A store that does not is logged like any store fault (`legacy user store unavailable`).
 */
export async function legacyStoreReachable(
  users: Pick<LegacyUserSource, 'ping'>,
  timeoutMs: number,
  logger: Logger,
): Promise<boolean> {
  try {
    await callLegacyStore({ timeoutMs, logger, metrics: UNTIMED }, (signal) => users.ping(signal));
    return true;
  } catch {
    return false;
  }
}
