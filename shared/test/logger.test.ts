import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LogCapture, startProcess } from '../src/testing';
import { BufferedDestination, createLogger, unredacted } from '../src/logger';

/** The built logger, as the servers run it. */
const BUILT_LOGGER = path.join(__dirname, '../dist/logger.js');

/** `node -e` code that runs `body` with `logger` (`createLogger`, writing to stdout) in scope. */
function withLogger(body: string): string {
  return `const { createLogger } = require(${JSON.stringify(BUILT_LOGGER)});
    const logger = createLogger({ name: 'child' });
    ${body}`;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(body: string): Promise<Run> {
  const child = spawn(process.execPath, ['-e', withLogger(body)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const messages = (stdout: string): unknown[] =>
  stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => (JSON.parse(line) as { msg: unknown }).msg);

describe('createLogger writing to stdout', () => {
  it('writes a line logged just before process.exit()', async () => {
    const result = await run(`logger.info('before exit'); process.exit(3);`);
    expect(result.code).toBe(3);
    expect(messages(result.stdout)).toEqual(['before exit']);
  });

  it('writes the lines logged just before an uncaught exception', async () => {
    const result = await run(
      `setTimeout(() => { logger.error({ step: 2 }, 'last words'); throw new Error('boom'); });
       logger.info('started');`,
    );
    expect(result.code).toBe(1);
    expect(messages(result.stdout)).toEqual(['started', 'last words']);
    expect(result.stderr).toContain('Error: boom');
  });

  it("writes a fatal handler's line, and lines logged while exiting", async () => {
    const result = await run(
      `process.on('uncaughtException', (error) => {
         logger.fatal({ err: error }, 'crashed');
         process.exit(1);
       });
       process.on('exit', () => logger.info('exiting'));
       setTimeout(() => { throw new Error('boom'); });`,
    );
    expect(result.code).toBe(1);
    expect(messages(result.stdout)).toEqual(['crashed', 'exiting']);
  });

  it('ends a normal run without hanging, with every line whole and in order', async () => {
    const result = await run(
      `let n = 0;
       const batch = () => {
         for (let i = 0; i < 500; i += 1) logger.info({ n: n++ }, 'line');
         if (n < 5000) setImmediate(batch);
       };
       batch();`,
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { n: number }).n)).toEqual(
      Array.from({ length: 5000 }, (_, n) => n),
    );
  });

  it('writes a lone line at the end of its turn, without waiting for more or for the exit', async () => {
    const child = await startProcess({
      nodeArgs: ['-e'],
      script: withLogger(`logger.info('alone'); setInterval(() => {}, 1000);`),
      readyLine: /"msg":"alone"/,
    });
    expect(child.child.exitCode).toBeNull();
    await child.stop('SIGKILL');
  });

  it('exits at once and quietly when its stdout reader has gone (broken pipe)', async () => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        withLogger(
          `process.stdin.once('data', () => {
           for (let i = 0; i < 3; i += 1) logger.info({ i }, 'into a broken pipe');
           setImmediate(() => {
             for (let i = 0; i < 1000; i += 1) logger.info({ i }, 'still logging');
             process.exit(0);
           });
         });`,
        ),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    try {
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      // The reader goes away first: every write the child makes then fails with EPIPE.
      await new Promise((resolve) => child.stdout.once('close', resolve).destroy());
      child.stdin.write('go\n');
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('BufferedDestination', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'buffered-destination-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('keeps the lines of a turn in memory and writes them together when the turn ends', async () => {
    const file = path.join(folder, 'log');
    const destination = new BufferedDestination(file);
    destination.write('{"n":1}\n');
    destination.write('{"n":2}\n');
    expect(readFileSync(file, 'utf8')).toBe('');
    await new Promise((resolve) => setImmediate(resolve));
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":2}\n');
  });

  it('writes within the turn once 4 KiB wait, and the rest on flush()', () => {
    const file = path.join(folder, 'log');
    const destination = new BufferedDestination(file);
    const line = `${JSON.stringify({ pad: 'x'.repeat(100) })}\n`;
    for (let i = 0; i < 50; i += 1) destination.write(line);
    expect(readFileSync(file, 'utf8').length).toBeGreaterThanOrEqual(4096);
    destination.flush();
    expect(readFileSync(file, 'utf8')).toBe(line.repeat(50));
  });
});

describe('unredacted', () => {
  it('skips the redaction pass, and leaves the logger it came from redacting', () => {
    const capture = new LogCapture();
    const logger = createLogger({ name: 'test', destination: capture, base: { service: 'x' } });
    unredacted(logger).info({ req: { headers: { authorization: 'Bearer t' } } }, 'raw');
    logger.info({ req: { headers: { authorization: 'Bearer t' } } }, 'redacted');
    const [raw, redacted] = capture.records();
    expect(raw).toMatchObject({ service: 'x', req: { headers: { authorization: 'Bearer t' } } });
    expect(redacted).toMatchObject({ req: { headers: { authorization: '[redacted]' } } });
  });
});
