import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Service, type ServiceLine } from '../../../scripts/stack/service';

describe('Service', () => {
  let dir: string;
  const script = (name: string, source: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, source);
    return file;
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'authstack-service-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is ready when it reports ready over IPC, forwards every line as printed, and stops on SIGTERM', async () => {
    const lines: ServiceLine[] = [];
    const service = new Service(
      {
        name: 'demo',
        script: script(
          'ready.js',
          `console.log('starting'); console.log(JSON.stringify({ msg: 'up' })); process.send({ type: 'ready' }); setInterval(() => {}, 1000);`,
        ),
        env: {},
        readiness: { ipc: 'ready' },
      },
      (line) => lines.push(line),
    );
    await service.start(5_000);
    expect(service.running).toBe(true);
    expect(await service.stop()).toEqual({ name: 'demo', code: null, signal: 'SIGTERM' });
    expect(lines).toEqual([
      { service: 'demo', stream: 'stdout', text: 'starting' },
      { service: 'demo', stream: 'stdout', text: '{"msg":"up"}' },
    ]);
  });

  it('does not take a log line for readiness: a silent service that reports ready is ready, a chatty one that does not is not', async () => {
    const silent = new Service(
      {
        name: 'silent',
        script: script(
          'silent.js',
          `process.send({ type: 'ready' }); setInterval(() => {}, 1000);`,
        ),
        env: {},
        readiness: { ipc: 'ready' },
      },
      () => undefined,
    );
    await silent.start(5_000);
    expect(silent.running).toBe(true);
    await silent.stop();

    const chatty = new Service(
      {
        name: 'chatty',
        script: script(
          'chatty.js',
          `console.log(JSON.stringify({ level: 'info', msg: 'ready' })); setInterval(() => {}, 1000);`,
        ),
        env: {},
        readiness: { ipc: 'ready' },
      },
      () => undefined,
    );
    await expect(chatty.start(500)).rejects.toThrow('chatty did not report ready within 500 ms');
    expect(chatty.running).toBe(false);
  });

  it('rejects, naming the exit, when the process dies before it is ready', async () => {
    const lines: ServiceLine[] = [];
    const service = new Service(
      {
        name: 'crashy',
        script: script('crash.js', `console.error('cannot start'); process.exit(3);`),
        env: {},
        readiness: { ipc: 'ready' },
      },
      (line) => lines.push(line),
    );
    await expect(service.start(5_000)).rejects.toThrow(
      'crashy exited (code 3) before it was ready',
    );
    expect(lines).toEqual([{ service: 'crashy', stream: 'stderr', text: 'cannot start' }]);
  });

  it('kills a process that ignores SIGTERM once its stop timeout has passed', async () => {
    const service = new Service(
      {
        name: 'stubborn',
        script: script(
          'stubborn.js',
          `process.on('SIGTERM', () => {}); process.send({ type: 'ready' }); setInterval(() => {}, 1000);`,
        ),
        env: {},
        readiness: { ipc: 'ready' },
        stopTimeoutMs: 200,
      },
      () => undefined,
    );
    await service.start(5_000);
    expect(await service.stop()).toEqual({ name: 'stubborn', code: null, signal: 'SIGKILL' });
  });
});
