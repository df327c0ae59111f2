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
