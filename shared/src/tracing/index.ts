import type { Logger } from 'pino';
import type * as Sdk from './sdk';

/** What a server keeps of its tracing. */
export interface Tracing {
  /** Whether the OpenTelemetry SDK was started. */
  readonly enabled: boolean;
  /**
   * Sends the SDK's own messages (an export that failed, spans dropped from a full queue) to
   * `logger` as JSON lines, at `OTEL_LOG_LEVEL` (default `warn`). Call it once the logger exists.
   */
  logTo(logger: Logger): void;
  /** Exports the spans still buffered, within a few seconds, and stops tracing. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = {
  enabled: false,
  logTo: () => undefined,
  shutdown: async () => undefined,
};

const listOf = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item.length > 0);

/**
 * Whether the environment asks for traces: an OTLP endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or an exporter (`OTEL_TRACES_EXPORTER`) is set, and
 * neither `OTEL_SDK_DISABLED=true` nor `OTEL_TRACES_EXPORTER=none` says otherwise. The SDK alone
 * would export to `localhost:4318` when nothing is set; here nothing set means off.
 */
export function tracingEnabled(env: Record<string, string | undefined> = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = listOf(env.OTEL_TRACES_EXPORTER);
  // As the SDK reads the list: "none" first means no exporter.
  if (exporters[0] === 'none') return false;
  return (
    exporters.length > 0 ||
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) ||
    Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim())
  );
}

/**
 * Starts OpenTelemetry tracing (HTTP, Express, the AWS SDK, `pg`, and trace ids in pino's
 * lines) when the environment asks for it (`tracingEnabled`); otherwise loads and patches
 * nothing. It must run before the modules it instruments are loaded: a server imports the
 * module that calls it first of all (`src/tracing.ts`, the first import of `src/server.ts`).
 * `serviceName` is `service.name` unless `OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES`
 * sets it.
 */
export function startTracing(serviceName: string): Tracing {
  if (!tracingEnabled()) return OFF;
  // A synchronous, conditional load: the SDK (some 2,000 modules) only when tracing is on, and
  // before this function returns, so that the instrumentations hook every later require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('./sdk') as typeof Sdk;
  return sdk.startSdk(serviceName);
}
