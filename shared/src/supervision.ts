/**
 * Runs `handler` once when the process that started this one goes away, however it went:
 * killed with SIGKILL, or its terminal closed. Only for processes started with an IPC
 * channel (as `npm start` starts every service); elsewhere (containers, Lambda, tests) it
 * does nothing. The channel closing is the one signal that survives the parent's SIGKILL.
 */
export function onSupervisorGone(handler: () => void): void {
  if (process.channel === undefined) return;
  process.once('disconnect', handler);
}

/** What a supervised process sends on its IPC channel once it is ready to serve. */
export const READY_MESSAGE = { type: 'ready' } as const;

/**
 * Tells the supervising process (`npm start`) that this one is ready, over the IPC channel,
 * so that readiness never depends on a log line (and so on LOG_LEVEL). Does nothing when
 * the process has no supervisor.
 */
export function reportReady(): void {
  process.send?.(READY_MESSAGE);
}

/** Whether an IPC message from a supervised process is its `reportReady()`. */
export function isReadyMessage(message: unknown): boolean {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === READY_MESSAGE.type
  );
}
