import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { localStateDatabaseUrl } from '../../src/state-store/settings';
import { isReadyMessage } from '../../src/supervision';
import { getFreePort } from '../../src/testing';

// The runner is the built state store (`npm start`'s state-db), as `npm start` runs it.
const STATE_DB = path.resolve(__dirname, '../../dist/local/state-db.js');

type LogLine = Record<string, unknown>;

interface Runner {
  child: ChildProcess;
  lines: LogLine[];
  ready: Promise<void>;
  exited: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the runner as `npm start` does: with an IPC channel. */
function startRunner(port: number, dataDir: string, logLevel: string): Runner {
  const child = spawn(process.execPath, [STATE_DB], {
    env: {
      PATH: process.env.PATH,
      STATE_DB_PORT: String(port),
      STATE_DB_DIR: dataDir,
      LOG_LEVEL: logLevel,
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const lines: LogLine[] = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const line of complete) if (line.startsWith('{')) lines.push(JSON.parse(line) as LogLine);
  });
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => child.once('exit', (exitCode, signal) => resolve({ exitCode, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message) => {
      if (isReadyMessage(message)) resolve();
    });
    void exited.then(({ exitCode }) => reject(new Error(`state-db exited (${exitCode}) first`)));
  });
  return { child, lines, ready, exited };
}

describe('embedded Postgres runner (state-db) under a supervisor', () => {
  let dataDir: string;
  let port: number;
  let runner: Runner | undefined;

  beforeAll(async () => {
    dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'pg-runner-')), 'db');
    chmodSync(path.dirname(dataDir), 0o755); // Postgres runs as its own user when root
    port = await getFreePort();
  });
  afterAll(async () => {
    if (runner && runner.child.exitCode === null) {
      runner.child.kill('SIGTERM');
      await runner.exited;
    }
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('reports ready over IPC with LOG_LEVEL=warn (no ready line printed), and accepts connections', async () => {
    runner = startRunner(port, dataDir, 'warn');
    await runner.ready;
    expect(runner.lines.filter((line) => line.level === 'info')).toEqual([]);
    const client = new Client({ connectionString: localStateDatabaseUrl(port) });
    await client.connect();
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();
  }, 60_000);

  it('exits 1, with an error line, when its Postgres server process is killed', async () => {
    const running = runner as Runner;
    const postmaster = Number(
      readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    process.kill(postmaster, 'SIGKILL');
    expect(await running.exited).toEqual({ exitCode: 1, signal: null });
    expect(running.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        signal: 'SIGKILL',
        msg: 'state store: the Postgres server exited unexpectedly; exiting so that it is restarted',
      }),
    );
  });

  it('starts again on the same data and stops on SIGTERM with a fast shutdown, exit 0', async () => {
    // Backends of the killed server may linger a moment; a supervisor retries, so does this.
    for (let attempt = 1; ; attempt += 1) {
      runner = startRunner(port, dataDir, 'info');
      try {
        await runner.ready;
        break;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
    runner.child.kill('SIGTERM');
    expect(await runner.exited).toEqual({ exitCode: 0, signal: null });
    expect(runner.lines).toContainEqual(
      expect.objectContaining({ mode: 'fast', msg: 'stopping state store' }),
    );
    expect(runner.lines).toContainEqual(
      expect.objectContaining({ durationMs: expect.any(Number), msg: 'state store stopped' }),
    );
    // A slow stop is logged with how long it waited.
    expect(runner.lines.filter((line) => line.waitedMs !== undefined)).toEqual([]);
  }, 60_000);
});
