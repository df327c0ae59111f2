import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { getFreePort, startProcess } from '@authstack/shared/testing';
import { REPO_ROOT } from '../lib/paths';
import { readyBanner } from '../../scripts/stack/banner';
import { stackConfigFromEnv, type StackConfig } from '../../scripts/stack/config';
import { portClaims, stackEndpoints, type StackReady } from '../../scripts/stack/local-stack';
import { assertPortsFree } from '../../scripts/stack/ports';
import { findTerminalRunner, startInTerminal, type TerminalProcess } from './support/terminal';

/**
 * `npm start` runs `tsx scripts/start.ts`; these tests run the same script through tsx's loader
 * (`node --import tsx`), on free ports and a temp folder, without tsx's CLI in between: its
 * signal relay gives the orchestrator 30 ms to acknowledge a signal and SIGKILLs it otherwise,
 * which a busy 2-core machine can miss.
 */
const NODE_ARGS = ['--import', 'tsx'];
const START = [process.execPath, ...NODE_ARGS, 'scripts/start.ts'];

/** A line pino-pretty made: `[10:00:00.123] INFO (resource-server): message`. */
const PRETTY = (level: string, name: string): RegExp =>
  new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] ${level} \\(${name}\\): `);

function isJson(line: string): boolean {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
}

const runner = findTerminalRunner();

describe(`npm start on a terminal (LOG_FORMAT, via ${runner?.name ?? 'none'})`, () => {
  const inTerminal = (extra: Record<string, string> = {}): TerminalProcess => {
    // Never skipped: a machine with neither fails here, saying what the test needs.
    if (!runner) throw new Error('a pseudo-terminal needs util-linux `script` or python3 (pty)');
    return startInTerminal(runner, START, { cwd: REPO_ROOT, env: { ...env, ...extra } });
  };

  let stateDir: string;
  let env: Record<string, string | undefined>;
  let config: StackConfig;
  let terminal: TerminalProcess | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'authstack-terminal-'));
    // Postgres runs as its own user and must be able to enter the folder.
    chmodSync(stateDir, 0o755);
    env = {
      LOCAL_STATE_DIR: stateDir,
      LEGACY_DB_PORT: String(await getFreePort()),
      STATE_DB_PORT: String(await getFreePort()),
      TRIGGER_PORT: String(await getFreePort()),
      LOCAL_POOL_PORT: String(await getFreePort()),
      AUTH_SERVER_PORT: String(await getFreePort()),
      RESOURCE_SERVER_PORT: String(await getFreePort()),
      // A terminal that shows colours, whatever the test runner's own environment says.
      TERM: 'xterm-256color',
      NO_COLOR: undefined,
      LOG_FORMAT: undefined,
    };
    config = stackConfigFromEnv(env);
  });

  afterEach(() => terminal?.kill());

  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('shows readable, coloured lines (time, level, service, message; a request as method, path, status, duration), the banner last before the first request, and stops on Ctrl-C', async () => {
    terminal = inTerminal();
    const stackReady = await terminal.waitForLine(
      new RegExp(`${PRETTY('INFO', 'stack').source}stack ready `),
    );
    await terminal.waitForLine(/^authstack is up\./);

    const path404 = `/terminal-test-${process.pid}`;
    const response = await fetch(`http://127.0.0.1:${config.ports.resourceServer}${path404}`);
    expect(response.status).toBe(404);
    const requestLine = await terminal.waitForLine(new RegExp(`GET ${path404} 404 `));
    expect(requestLine).toMatch(
      new RegExp(
        `${PRETTY('WARN', 'resource-server').source}request completed GET ${path404} 404 [\\d.]+ ms$`,
      ),
    );

    const lines = terminal.lines();
    expect(lines.filter(isJson)).toEqual([]);
    expect(lines.some((line) => PRETTY('INFO', 'resource-server').test(line))).toBe(true);
    expect(lines.some((line) => PRETTY('INFO', 'legacy-db').test(line))).toBe(true);
    expect(terminal.raw()).toContain('\u001b[32mINFO\u001b[39m');

    // The banner, as plain text, comes right after the stack's "stack ready" line; the first
    // request is printed after it.
    const ready = JSON.parse(stackReady.slice(stackReady.indexOf('{'))) as StackReady;
    expect(ready.endpoints).toEqual(stackEndpoints(config));
    const banner = readyBanner(config, ready);
    expect(banner).toContain(
      `State: ${stateDir} (delete it to start over). Ctrl-C stops everything.`,
    );
    const shown = lines.join('\n');
    expect(shown).toContain(`${stackReady}\n${banner}`);
    expect(shown.indexOf(requestLine)).toBeGreaterThan(shown.indexOf(banner) + banner.length);

    terminal.interrupt();
    expect(await terminal.exited).toBe(0);
    expect(terminal.lines()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `${PRETTY('INFO', 'stack').source}stopping the stack \\{"reason":"SIGINT"\\}$`,
          ),
        ),
        expect.stringMatching(new RegExp(`${PRETTY('INFO', 'stack').source}stack stopped$`)),
      ]),
    );
    await expect(assertPortsFree(portClaims(config))).resolves.toBeUndefined();
  }, 150_000);

  it('prints JSON lines on a terminal with LOG_FORMAT=json', async () => {
    terminal = inTerminal({ LOG_FORMAT: 'json' });
    await terminal.waitForLine(/"name":"stack".*"msg":"trigger ready"/);
    terminal.interrupt();
    expect(await terminal.exited).toBe(0);
    const lines = terminal.lines().filter((line) => line.trim().length > 0);
    expect(lines.filter((line) => !isJson(line))).toEqual([]);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect([...new Set(records.map((record) => record.name))]).toEqual(
      expect.arrayContaining(['stack', 'legacy-db', 'state-db', 'trigger-invoke-server']),
    );
    expect(records.at(-1)).toMatchObject({ name: 'stack', msg: 'stack stopped' });
    await expect(assertPortsFree(portClaims(config))).resolves.toBeUndefined();
  }, 120_000);

  it('prints readable lines to a pipe with LOG_FORMAT=pretty', async () => {
    const piped = await startProcess({
      nodeArgs: NODE_ARGS,
      script: 'scripts/start.ts',
      cwd: REPO_ROOT,
      env: { ...env, LOG_FORMAT: 'pretty' },
      readyLine: /INFO \(stack\): trigger ready/,
      readyTimeoutMs: 90_000,
    });
    expect(await piped.stop('SIGINT', 30_000)).toBe(0);
    const lines = piped.stdoutLines().map((line) => stripVTControlCharacters(line));
    expect(lines.filter(isJson)).toEqual([]);
    for (const name of ['stack', 'legacy-db', 'state-db', 'trigger-invoke-server'])
      expect({ name, shown: lines.some((line) => PRETTY('INFO', name).test(line)) }).toEqual({
        name,
        shown: true,
      });
    expect(lines.at(-1)).toMatch(new RegExp(`${PRETTY('INFO', 'stack').source}stack stopped$`));
  }, 120_000);
});

describe('npm start with a bad LOG_FORMAT', () => {
  it('refuses to start: one line naming LOG_FORMAT, exit code 1', async () => {
    const refused = await startProcess({
      nodeArgs: NODE_ARGS,
      script: 'scripts/start.ts',
      cwd: REPO_ROOT,
      env: { LOG_FORMAT: 'yaml' },
    });
    expect(await refused.exited).toBe(1);
    const output = refused.output().trim();
    expect(output.split('\n')).toHaveLength(1);
    expect(output).toMatch(/^Invalid configuration: LOG_FORMAT: /);
    expect(output).toContain('"json"');
  });
});
