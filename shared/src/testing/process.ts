import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForHttp } from '../http/wait-for-http';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface StartProcessOptions {
  /** The script to run with the current `node`, e.g. `local-pool/dist/server.js`. */
  script: string;
  args?: string[];
  /** Options for `node` itself, before the script, e.g. `['--import', 'tsx']`. */
  nodeArgs?: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Polled until it answers 200; the process counts as started then. */
  readyUrl?: string;
  /** Alternatively, the process counts as started once a stdout line matches this. */
  readyLine?: RegExp;
  readyTimeoutMs?: number;
}

export interface StartedProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** stdout split into lines, e.g. to parse JSON log lines. */
  stdoutLines(): string[];
  /**
   * Resolves once a line of the output matches `pattern` (rejects after `timeoutMs`): a line
   * the process wrote reaches the test through a pipe, which may come after an HTTP answer
   * the process sent later, and the servers write their log lines at the end of a turn.
   */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

async function waitForLine(
  text: () => string,
  pattern: RegExp,
  timeoutMs: number,
  isAlive: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      text()
        .split('\n')
        .some((line) => pattern.test(line))
    )
      return;
    if (!isAlive()) throw new Error(`process exited before printing ${String(pattern)}`);
    await sleep(50);
  }
  throw new Error(`no line matching ${String(pattern)} after ${timeoutMs} ms`);
}

/**
 * Starts a real process (a built server) for a test and waits until it is ready.
 * Processes still running when the test process exits are killed.
 */
export async function startProcess(options: StartProcessOptions): Promise<StartedProcess> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])],
    {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  let stdout = '';
  let all = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    all += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    all += chunk;
  });
  let alive = true;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      alive = false;
      running.delete(child);
      resolve(code);
    });
  });

  const started: StartedProcess = {
    child,
    output: () => all,
    stdoutLines: () => stdout.split('\n').filter((line) => line.length > 0),
    waitForOutput: (pattern, timeoutMs = 5_000) =>
      waitForLine(
        () => all,
        pattern,
        timeoutMs,
        () => alive,
      ),
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (!alive) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };

  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  try {
    if (options.readyUrl) await waitForHttp(options.readyUrl, readyTimeoutMs, () => alive);
    if (options.readyLine)
      await waitForLine(
        () => stdout,
        options.readyLine,
        readyTimeoutMs,
        () => alive,
      );
  } catch (error) {
    await started.stop('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- output of ${options.script} ---\n${all}`);
  }
  return started;
}

/** A started process that a test can stop and start again with the same options. */
export interface RestartableProcess {
  /** The running process; `restart()` replaces it. */
  process: StartedProcess;
  /** SIGTERM by default; pass 'SIGKILL' to simulate a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops (SIGTERM) and starts again with the same options (same port, same data). */
  restart(): Promise<void>;
}

/** `startProcess`, keeping the options so that the process can be restarted. */
export async function startRestartableProcess(
  options: StartProcessOptions,
): Promise<RestartableProcess> {
  const running: RestartableProcess = {
    process: await startProcess(options),
    async stop(signal = 'SIGTERM') {
      await running.process.stop(signal);
    },
    async restart() {
      await running.process.stop('SIGTERM');
      running.process = await startProcess(options);
    },
  };
  return running;
}
