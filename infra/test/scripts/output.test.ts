import { createLogger } from '@authstack/shared';
import type { LogFormat } from '../../../scripts/stack/config';
import { chooseLogFormat, StackOutput, toJsonLine } from '../../../scripts/stack/output';

const REQUEST_LINE = JSON.stringify({
  level: 'info',
  time: '2030-01-02T03:04:05.678Z',
  pid: 4242,
  name: 'resource-server',
  requestId: '5f0c1e9e-0000-4000-8000-000000000000',
  req: { method: 'GET', path: '/readyz', remoteAddress: '127.0.0.1' },
  res: { statusCode: 200 },
  durationMs: 0.861,
  msg: 'request completed',
});

/** A StackOutput whose writes are kept, one entry per write. */
function capture(format: LogFormat): { output: StackOutput; writes: string[] } {
  const writes: string[] = [];
  return {
    output: new StackOutput({ format, write: (text) => writes.push(text), colorize: false }),
    writes,
  };
}

describe('chooseLogFormat (npm start: LOG_FORMAT, else pretty on a terminal only)', () => {
  it.each([
    [undefined, true, 'pretty'],
    [undefined, false, 'json'],
    ['json', true, 'json'],
    ['pretty', false, 'pretty'],
  ] as const)('LOG_FORMAT=%s, terminal %s: %s', (setting, isTerminal, format) => {
    expect(chooseLogFormat(setting, isTerminal)).toBe(format);
  });
});

describe('toJsonLine', () => {
  it('passes a JSON line through unchanged', () => {
    const line = '{"level":"info","name":"auth-server","msg":"listening"}';
    expect(toJsonLine('auth-server', 'stdout', line)).toBe(line);
  });

  it('wraps plain text, naming the service and the stream', () => {
    const wrapped = JSON.parse(toJsonLine('local-pool', 'stderr', 'Error: boom {')) as Record<
      string,
      unknown
    >;
    expect(wrapped).toMatchObject({
      level: 'warn',
      name: 'local-pool',
      stream: 'stderr',
      msg: 'Error: boom {',
    });
  });

  it('wraps text that only looks like JSON', () => {
    expect(JSON.parse(toJsonLine('x', 'stdout', '{not json}'))).toMatchObject({
      msg: '{not json}',
    });
  });
});

describe('StackOutput in JSON mode (a pipe, a file, CI)', () => {
  it('writes every line as one JSON record: service lines as they are, plain text wrapped, the stack logger unchanged', () => {
    const { output, writes } = capture('json');
    output.serviceLine({ service: 'resource-server', stream: 'stdout', text: REQUEST_LINE });
    output.serviceLine({ service: 'local-pool', stream: 'stderr', text: '    at boom (x.js:1)' });
    createLogger({ name: 'stack', destination: output.destination }).warn(
      { service: 'auth-server' },
      'auth-server exited',
    );
    const lines = writes.join('').split('\n').filter(Boolean);
    expect(lines[0]).toBe(REQUEST_LINE);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ name: 'resource-server', requestId: expect.any(String) }),
      expect.objectContaining({
        name: 'local-pool',
        stream: 'stderr',
        msg: '    at boom (x.js:1)',
      }),
      expect.objectContaining({ name: 'stack', level: 'warn', service: 'auth-server' }),
    ]);
  });

  it('prints the banner as one info record per non-blank line, in one write', () => {
    const { output, writes } = capture('json');
    output.banner('\nauthstack is up. Ctrl-C stops everything.\n\n  auth-server  http://x\n');
    expect(writes).toHaveLength(1);
    const records = (writes[0] ?? '')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual([
      expect.objectContaining({
        level: 'info',
        name: 'stack',
        banner: true,
        msg: 'authstack is up. Ctrl-C stops everything.',
      }),
      expect.objectContaining({ banner: true, msg: '  auth-server  http://x' }),
    ]);
  });
});

describe('StackOutput in pretty mode (a terminal)', () => {
  const TIME = /^\[\d\d:\d\d:\d\d\.\d{3}\] /;

  it('shows a request as one line: time, level, service, message, method, path, status and duration', () => {
    const { output, writes } = capture('pretty');
    output.serviceLine({ service: 'resource-server', stream: 'stdout', text: REQUEST_LINE });
    expect(writes).toHaveLength(1);
    const line = writes[0] ?? '';
    expect(line).toMatch(TIME);
    expect(line.replace(TIME, '')).toBe(
      'INFO (resource-server): request completed GET /readyz 200 0.861 ms\n',
    );
  });

  it('keeps other fields on the same line, names the service when a record has no name, and shows plain text as it is after the service', () => {
    const { output, writes } = capture('pretty');
    output.serviceLine({
      service: 'legacy-db',
      stream: 'stdout',
      text: JSON.stringify({ level: 'warn', time: '2030-01-02T03:04:05.678Z', msg: 'slow', ms: 3 }),
    });
    output.serviceLine({ service: 'local-pool', stream: 'stderr', text: 'Error: boom {' });
    expect(writes.map((line) => line.replace(TIME, ''))).toEqual([
      'WARN (legacy-db): slow {"ms":3}\n',
      'local-pool | Error: boom {\n',
    ]);
  });

  it("formats the stack's own log lines the same way", () => {
    const { output, writes } = capture('pretty');
    createLogger({ name: 'stack', destination: output.destination }).info(
      { service: 'auth-server', ms: 12 },
      'auth-server ready',
    );
    expect(writes.map((line) => line.replace(TIME, ''))).toEqual([
      'INFO (stack): auth-server ready {"service":"auth-server","ms":12}\n',
    ]);
  });

  it('prints the banner as plain text', () => {
    const { output, writes } = capture('pretty');
    output.banner('\nauthstack is up. Ctrl-C stops everything.\n');
    expect(writes).toEqual(['\nauthstack is up. Ctrl-C stops everything.\n']);
  });
});
