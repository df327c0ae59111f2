import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { tracingEnabled } from '../../src/tracing';
import { redactQueryValues } from '../../src/tracing/redaction';

const run = promisify(execFile);
const SHARED = path.join(__dirname, '../..');

describe('tracingEnabled', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://localhost:4318/v1/traces' }, true],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: ' console , otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: ' ', OTEL_TRACES_EXPORTER: '' }, false],
    [{ OTEL_SERVICE_NAME: 'auth-server', OTEL_TRACES_SAMPLER: 'always_on' }, false],
  ])('%j → %s', (env, enabled) => {
    expect(tracingEnabled(env)).toBe(enabled);
  });
});

describe('redactQueryValues', () => {
  it('keeps every name, in order, and replaces every value', () => {
    expect(redactQueryValues('code=123456&email=ada%40example.com&code=654321&flag')).toBe(
      'code=REDACTED&email=REDACTED&code=REDACTED&flag=REDACTED',
    );
  });

  it('leaves nothing of a value that hides an = or an encoded &', () => {
    const redacted = redactQueryValues('token=abc%26def%3Dghi==&x=y');
    expect(redacted).toBe('token=REDACTED&x=REDACTED');
    expect(redacted).not.toMatch(/abc|def|ghi/);
  });

  it('turns an empty query into an empty one', () => {
    expect(redactQueryValues('')).toBe('');
  });
});

/**
 * `startTracing` in a fresh process of the built package, then the modules a server loads:
 * which OpenTelemetry modules got loaded, and whether http's server was patched.
 */
async function startIn(env: Record<string, string>): Promise<{
  enabled: boolean;
  openTelemetryModules: number;
  httpPatched: boolean;
}> {
  const script = `
    const { startTracing } = require('./dist/tracing');
    const tracing = startTracing('probe');
    require('express');
    require('pino');
    const http = require('node:http');
    const openTelemetryModules = Object.keys(require.cache).filter((file) => file.includes('@opentelemetry')).length;
    const httpPatched = Boolean(http.Server.prototype.emit.__wrapped);
    process.stdout.write(JSON.stringify({ enabled: tracing.enabled, openTelemetryModules, httpPatched }));
    tracing.shutdown();
  `;
  const { stdout } = await run(process.execPath, ['-e', script], {
    cwd: SHARED,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return JSON.parse(stdout) as {
    enabled: boolean;
    openTelemetryModules: number;
    httpPatched: boolean;
  };
}

describe('startTracing (built package, in a fresh process)', () => {
  it('loads and patches nothing when no endpoint or exporter is set', async () => {
    expect(await startIn({})).toEqual({
      enabled: false,
      openTelemetryModules: 0,
      httpPatched: false,
    });
  });

  it('starts the SDK and patches http when an OTLP endpoint is set', async () => {
    const started = await startIn({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(started).toMatchObject({ enabled: true, httpPatched: true });
    expect(started.openTelemetryModules).toBeGreaterThan(0);
  });
});
