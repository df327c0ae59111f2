import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { isReadyMessage, waitForHttp } from '@authstack/shared';

/** One non-blank line a service printed, as it printed it. */
export interface ServiceLine {
  service: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Receives every line a service prints (`StackOutput.serviceLine` in `npm start`). */
export type LineSink = (line: ServiceLine) => void;

/**
 * How the orchestrator learns that a service is ready: its health URL answers 200, or it
 * sends `READY_MESSAGE` on its IPC channel (`reportReady()`). Never from its log output,
 * which LOG_LEVEL may silence.
 */
export type Readiness = { url: string } | { ipc: 'ready' };

export interface ServiceSpec {
  /** Names the service in log lines and messages, e.g. `auth-server`. */
  name: string;
  /** A built script run with the current `node`, e.g. `<repo>/auth-server/dist/server.js`. */
  script: string;
  /** The child's whole environment (nothing else is inherited). */
  env: Record<string, string>;
  cwd?: string;
  readiness: Readiness;
  /** How long a SIGTERM may take before SIGKILL. */
  stopTimeoutMs?: number;
}

export interface ServiceExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

const STOP_TIMEOUT_MS = 10_000;

/**
 * One long-running child process of the stack: started in its own process group
 * (so a terminal's Ctrl-C reaches only the orchestrator, which stops the children
 * in order), its output forwarded line by line, ready when its health URL answers
 * 200 or it reports ready over IPC, stopped with SIGTERM then SIGKILL. When it exits,
 * whatever it left behind in its process group (e.g. a Postgres server whose runner
 * was killed) is killed too, so that a restart finds its port and data free.
 */
export class Service {
  readonly name: string;
  #child: ChildProcess | undefined;
  #exited: Promise<ServiceExit> | undefined;
  #alive = false;
  #readyMessageSeen = false;
  #onReadyMessage: (() => void) | undefined;

  constructor(
    private readonly spec: ServiceSpec,
    private readonly sink: LineSink,
  ) {
    this.name = spec.name;
  }

  get running(): boolean {
    return this.#alive;
  }

  /** Resolves when the process has exited, for whatever reason. */
  get exited(): Promise<ServiceExit> {
    if (!this.#exited) throw new Error(`${this.name} was never started`);
    return this.#exited;
  }

  /**
   * Spawns the process and resolves once it is ready. Rejects (after stopping the
   * process) when it exits first or is not ready within `timeoutMs`.
   */
  async start(timeoutMs: number): Promise<void> {
    const child = spawn(process.execPath, [this.spec.script], {
      cwd: this.spec.cwd,
      env: this.spec.env,
      // The IPC channel carries the ready message (`reportReady`), and it closes when this
      // process dies, even of SIGKILL: the service then stops itself (`onSupervisorGone`).
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    this.#child = child;
    this.#alive = true;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#alive = false;
        killGroup(child.pid);
        resolve({ name: this.name, code, signal });
      });
      child.once('error', () => {
        this.#alive = false;
        resolve({ name: this.name, code: null, signal: null });
      });
    });
    child.on('message', (message) => {
      if (!isReadyMessage(message)) return;
      this.#readyMessageSeen = true;
      this.#onReadyMessage?.();
    });
    this.#forward(child.stdout, 'stdout');
    this.#forward(child.stderr, 'stderr');

    try {
      await this.#waitUntilReady(timeoutMs);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** SIGTERM, then SIGKILL to the whole process group if it has not exited in time. */
  async stop(): Promise<ServiceExit | undefined> {
    const child = this.#child;
    if (!child || !this.#exited) return undefined;
    if (!this.#alive) return this.#exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, this.spec.stopTimeoutMs ?? STOP_TIMEOUT_MS);
    const exit = await this.#exited;
    clearTimeout(timer);
    return exit;
  }

  /** SIGKILL to the whole process group, synchronously (for `process.on('exit')`). */
  kill(): void {
    if (this.#alive) killGroup(this.#child?.pid);
  }

  #forward(stream: Readable | null, kind: 'stdout' | 'stderr'): void {
    if (!stream) return;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      if (line.trim().length === 0) return;
      this.sink({ service: this.name, stream: kind, text: line });
    });
  }

  async #waitUntilReady(timeoutMs: number): Promise<void> {
    const { readiness } = this.spec;
    if ('url' in readiness) {
      try {
        return await waitForHttp(readiness.url, timeoutMs, () => this.#alive);
      } catch (error) {
        if (this.#alive) throw error;
        throw new Error(
          `${this.name} exited (${describeExit(await this.exited)}) before it was ready`,
        );
      }
    }
    if (this.#readyMessageSeen) return;
    return new Promise<void>((resolve, reject) => {
      const settle = (error?: Error): void => {
        if (!this.#onReadyMessage) return;
        this.#onReadyMessage = undefined;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => settle(new Error(`${this.name} did not report ready within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#onReadyMessage = () => settle();
      void this.exited.then((exit) =>
        settle(new Error(`${this.name} exited (${describeExit(exit)}) before it was ready`)),
      );
    });
  }
}

/** SIGKILL to a whole process group (a service and anything it started); ignores a gone group. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // nothing left in the group
  }
}

export function describeExit(exit: ServiceExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}
