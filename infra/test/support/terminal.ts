import { spawn, spawnSync } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import { eventually } from './processes';

/**
 * Runs a command under a pseudo-terminal without a native module: util-linux `script`, else
 * python3's `pty` module. Either copies what the test writes to the terminal (Ctrl-C is
 * `\x03`, turned into SIGINT for the foreground process group by the terminal itself) and
 * copies what the command prints back.
 */
export interface TerminalRunner {
  name: string;
  spawnArgs(command: readonly string[]): { file: string; args: string[] };
}

const quote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;

const SCRIPT: TerminalRunner = {
  name: 'util-linux script',
  spawnArgs: (command) => ({
    file: 'script',
    // -q no banner, -e the command's exit code, -f flush at once; no typescript file kept.
    args: ['-qefc', `exec ${command.map(quote).join(' ')}`, '/dev/null'],
  }),
};

const PYTHON_PTY: TerminalRunner = {
  name: 'python3 pty',
  spawnArgs: (command) => ({
    file: 'python3',
    args: [
      '-c',
      'import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))',
      ...command,
    ],
  }),
};

/** The first runner this machine has, or undefined. */
export function findTerminalRunner(): TerminalRunner | undefined {
  const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
  if (script.status === 0 && script.stdout.includes('util-linux')) return SCRIPT;
  const python = spawnSync('python3', ['-c', 'import os, pty; os.waitstatus_to_exitcode'], {
    encoding: 'utf8',
  });
  if (python.status === 0) return PYTHON_PTY;
  return undefined;
}

export interface TerminalProcess {
  /** Everything the terminal showed, as the bytes came. */
  raw(): string;
  /**
   * The lines the terminal showed, as a person reads them: colours, carriage returns and the
   * terminal's echo of Ctrl-C (`^C`) removed.
   */
  lines(): string[];
  /** Types Ctrl-C. */
  interrupt(): void;
  /** Resolves with the command's exit code. */
  exited: Promise<number | null>;
  /** Resolves with the first line matching `pattern`; rejects when the command exits first. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL to the runner (a last resort after a failed test). */
  kill(): void;
}

export function startInTerminal(
  runner: TerminalRunner,
  command: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): TerminalProcess {
  const { file, args } = runner.spawnArgs(command);
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { ...process.env, SHELL: '/bin/sh', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Typing into a terminal that has gone away is not an error of the test.
  child.stdin.on('error', () => undefined);
  let raw = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
  let alive = true;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      alive = false;
      resolve(code);
    }),
  );
  const lines = (): string[] =>
    stripVTControlCharacters(raw).replaceAll('\r', '').replaceAll('^C', '').split('\n');
  return {
    raw: () => raw,
    lines,
    interrupt: () => void child.stdin.write('\x03'),
    exited,
    waitForLine: (pattern, timeoutMs = 90_000) =>
      eventually(
        `a line matching ${String(pattern)}`,
        () => {
          const line = lines().find((candidate) => pattern.test(candidate));
          if (line === undefined && !alive)
            throw new Error(`exited before printing ${String(pattern)}:\n${lines().join('\n')}`);
          return line;
        },
        timeoutMs,
      ),
    kill: () => {
      if (alive) child.kill('SIGKILL');
    },
  };
}
