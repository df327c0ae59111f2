import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@authstack/shared';
import { getFreePort, LogCapture } from '@authstack/shared/testing';
import { Supervisor, type RestartPolicy } from '../../../scripts/stack/supervisor';
import { eventually, isRunning } from '../support/processes';

type LogRecord = Record<string, unknown>;

/** Fast enough for a test; the stack's own policy starts at 0.5 s. */
const POLICY: RestartPolicy = {
  initialDelayMs: 20,
  maxDelayMs: 50,
  stableAfterMs: 60_000,
  maxRestarts: 3,
};

/**
 * A tiny HTTP service: logs its pid, answers /health. With MARKER set, the first run
 * creates the marker and every later run does what FAIL_LATER says: `exit` (exits with 3
 * before it is ready) or `quit` (becomes ready, then exits cleanly at once).
 */
const WEB = `
const { existsSync, writeFileSync } = require('node:fs');
const http = require('node:http');
console.log(JSON.stringify({ msg: 'starting', pid: process.pid }));
const later = process.env.MARKER && existsSync(process.env.MARKER);
if (process.env.MARKER) writeFileSync(process.env.MARKER, 'x');
if (later && process.env.FAIL_LATER === 'exit') process.exit(3);
const server = http.createServer((req, res) => res.end('ok'));
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  if (later && process.env.FAIL_LATER === 'quit') setTimeout(() => process.exit(0), 100);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

describe('Supervisor (npm start restarts a service that dies)', () => {
  let dir: string;
  let script: string;
  let output: LogRecord[];
  let logs: LogCapture;
  let supervisor: Supervisor | undefined;
  let port: number;

  const supervise = async (
    env: Record<string, string> = {},
    policy: RestartPolicy = POLICY,
  ): Promise<Supervisor> => {
    port = await getFreePort();
    supervisor = new Supervisor(
      {
        name: 'web',
        script,
        env: { PORT: String(port), ...env },
        readiness: { url: `http://127.0.0.1:${port}/health` },
      },
      (line) => output.push(JSON.parse(line.text) as LogRecord),
      createLogger({ name: 'stack', destination: logs }),
      5_000,
      policy,
    );
    await supervisor.start();
    return supervisor;
  };
  /** No kept-alive connection outlives the test (the worker would wait for it). */
  const getHealth = (): Promise<Response> =>
    fetch(`http://127.0.0.1:${port}/health`, { headers: { connection: 'close' } });
  const pids = (): number[] =>
    output.filter((line) => line.msg === 'starting').map((line) => Number(line.pid));
  const lastPid = (): number => pids().at(-1) ?? 0;
  const restartLines = (): LogRecord[] =>
    logs.records().filter((line) => String(line.msg).includes('restarting in'));
  const restarted = (count: number) =>
    eventually(`restart ${count}`, () =>
      logs.records().filter((line) => line.msg === 'web restarted').length >= count
        ? true
        : undefined,
    );

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'authstack-supervisor-'));
    script = path.join(dir, 'web.js');
    writeFileSync(script, WEB);
  });
  beforeEach(() => {
    output = [];
    logs = new LogCapture();
  });
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restarts a service killed with SIGKILL, says so in one line, and it serves again', async () => {
    await supervise();
    const first = lastPid();
    process.kill(first, 'SIGKILL');
    await restarted(1);

    expect(restartLines()).toEqual([
      expect.objectContaining({
        level: 'warn',
        service: 'web',
        exitCode: null,
        signal: 'SIGKILL',
        attempt: 1,
        restartInMs: 20,
        msg: 'web exited (signal SIGKILL); restarting in 20 ms',
      }),
    ]);
    expect(pids()).toHaveLength(2);
    expect(lastPid()).not.toBe(first);
    expect(isRunning(first)).toBe(false);
    const health = await getHealth();
    expect({ status: health.status, body: await health.text() }).toEqual({
      status: 200,
      body: 'ok',
    });
    expect(supervisor?.running).toBe(true);
  });

  it('restarts a service that exits cleanly (code 0) after a SIGTERM nobody in the stack sent', async () => {
    await supervise();
    process.kill(lastPid(), 'SIGTERM');
    await restarted(1);
    expect(restartLines()).toEqual([
      expect.objectContaining({
        exitCode: 0,
        signal: null,
        msg: expect.stringMatching(/^web exited \(code 0\)/),
      }),
    ]);
    expect((await getHealth()).status).toBe(200);
  });

  it('gives up after maxRestarts restarts in a row fail to start, with doubling delays up to the cap and one error line', async () => {
    const web = await supervise({ MARKER: path.join(dir, 'exit.marker'), FAIL_LATER: 'exit' });
    process.kill(lastPid(), 'SIGKILL');
    const giveUp = await web.gaveUp;

    expect(giveUp).toMatchObject({
      exit: { name: 'web', code: 3, signal: null },
      restarts: 3,
      message:
        'web failed to start: web exited (code 3) before it was ready, after 3 restarts in a row; giving up',
    });
    expect(restartLines().map((line) => [line.attempt, line.restartInMs])).toEqual([
      [1, 20],
      [2, 40],
      [3, 50],
    ]);
    expect(logs.records().filter((line) => line.level === 'error')).toEqual([
      expect.objectContaining({ service: 'web', exitCode: 3, restarts: 3, msg: giveUp.message }),
    ]);
    expect(pids()).toHaveLength(4);
    expect(web.running).toBe(false);
  });

  it('counts a service that becomes ready and exits at once as failing: it is given up too', async () => {
    const web = await supervise({ MARKER: path.join(dir, 'quit.marker'), FAIL_LATER: 'quit' });
    process.kill(lastPid(), 'SIGKILL');
    const giveUp = await web.gaveUp;
    expect(giveUp.message).toBe('web exited (code 0), after 3 restarts in a row; giving up');
    expect(pids()).toHaveLength(4);
  });

  it('starts the delays over once a run has lasted stableAfterMs', async () => {
    await supervise({}, { ...POLICY, stableAfterMs: 300 });
    process.kill(lastPid(), 'SIGKILL');
    await restarted(1);
    process.kill(lastPid(), 'SIGKILL');
    await restarted(2);
    await sleep(400); // longer than stableAfterMs
    process.kill(lastPid(), 'SIGKILL');
    await restarted(3);
    expect(restartLines().map((line) => [line.attempt, line.restartInMs])).toEqual([
      [1, 20],
      [2, 40],
      [1, 20],
    ]);
  });

  it('does not restart a service once stopped, even with a restart waiting', async () => {
    await supervise({}, { ...POLICY, initialDelayMs: 300 });
    process.kill(lastPid(), 'SIGKILL');
    await eventually('the restart line', () => (restartLines().length > 0 ? true : undefined));
    await supervisor?.stop();
    await sleep(600); // past the restart's delay
    expect(pids()).toHaveLength(1);
    expect(supervisor?.running).toBe(false);
  });

  it('kills what a dead service left in its process group, so that its restart finds the port free', async () => {
    const leaver = path.join(dir, 'leaver.js');
    writeFileSync(
      leaver,
      `${WEB}
const { spawn } = require('node:child_process');
const orphan = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log(JSON.stringify({ msg: 'orphan', pid: orphan.pid }));`,
    );
    script = leaver;
    try {
      await supervise();
      const orphan = await eventually('the orphan pid', () =>
        output.find((line) => line.msg === 'orphan'),
      );
      expect(isRunning(Number(orphan.pid))).toBe(true);
      process.kill(lastPid(), 'SIGKILL');
      await restarted(1);
      await eventually('the orphan to be gone', () =>
        isRunning(Number(orphan.pid)) ? undefined : true,
      );
    } finally {
      script = path.join(dir, 'web.js');
    }
  });
});
