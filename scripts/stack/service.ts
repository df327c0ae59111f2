import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { waitForHttp } from '@authstack/shared';

/** Receives every line a service prints, already as one JSON document. */
export type LineSink = (line: string) => void;

export type Readiness = { url: string } | { line: RegExp };

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
 * Wraps a non-JSON line (a crash trace, a library printing plain text) in a
 * JSON record, so the stack's output stays one JSON document per line.
 */
export function toJsonLine(service: string, stream: 'stdout' | 'stderr', line: string): string {
  const trimmed = line.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
    try {
      JSON.parse(trimmed);
      return trimmed;
    } catch {
      // not JSON after all: wrapped below
    }
  }
  return JSON.stringify({
    level: stream === 'stderr' ? 'warn' : 'info',
    time: new Date().toISOString(),
    name: service,
    stream,
    msg: line,
  });
}

/**
 * One long-running child process of the stack: started in its own process group
 * (so a terminal's Ctrl-C reaches only the orchestrator, which stops the children
 * in order), its output forwarded line by line, ready when its health URL answers
 * 200 or a given line appears, stopped with SIGTERM then SIGKILL.
 */
export class Service {
  readonly name: string;
  #child: ChildProcess | undefined;
  #exited: Promise<ServiceExit> | undefined;
  #alive = false;
  #readyLineWaiter: ((line: string) => void) | undefined;

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
      // The IPC channel is unused but for one thing: it closes when this process dies, even
      // of SIGKILL, and the service then stops itself (`onSupervisorGone`).
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    this.#child = child;
    this.#alive = true;
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#alive = false;
        resolve({ name: this.name, code, signal });
      });
      child.once('error', () => {
        this.#alive = false;
        resolve({ name: this.name, code: null, signal: null });
      });
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
    const pid = this.#child?.pid;
    if (!this.#alive || pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  #forward(stream: Readable | null, kind: 'stdout' | 'stderr'): void {
    if (!stream) return;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      if (line.trim().length === 0) return;
      this.sink(toJsonLine(this.name, kind, line));
      if (kind === 'stdout') this.#readyLineWaiter?.(line);
    });
  }

  async #waitUntilReady(timeoutMs: number): Promise<void> {
    const { readiness } = this.spec;
    if ('url' in readiness) return waitForHttp(readiness.url, timeoutMs, () => this.#alive);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#readyLineWaiter = undefined;
        reject(
          new Error(
            `${this.name} printed no line matching ${String(readiness.line)} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#readyLineWaiter = (line) => {
        if (!readiness.line.test(line)) return;
        this.#readyLineWaiter = undefined;
        clearTimeout(timer);
        resolve();
      };
      void this.exited.then((exit) => {
        if (!this.#readyLineWaiter) return;
        this.#readyLineWaiter = undefined;
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${describeExit(exit)}) before it was ready`));
      });
    });
  }
}

export function describeExit(exit: ServiceExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}
