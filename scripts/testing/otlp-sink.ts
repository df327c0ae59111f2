import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';

/** One span as an OTLP/JSON export carries it, flattened. */
export interface ExportedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** The instrumentation that made it, e.g. `@opentelemetry/instrumentation-http`. */
  scope: string;
  attributes: Record<string, unknown>;
  /** The resource's attributes (`service.name`, …). */
  resource: Record<string, unknown>;
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

/**
 * A stand-in for an OpenTelemetry collector: accepts OTLP over HTTP on `/v1/traces`. With
 * `keep` (tests; the servers export with `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) it keeps every
 * export, raw and parsed; without it (benches) it reads and discards them, counting bytes.
 */
export interface OtlpSink {
  /** For `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  url: string;
  /** Every span received so far. */
  spans(): ExportedSpan[];
  /** Every export received so far, as sent (decompressed): to search for what must not be there. */
  raw(): string;
  /** Exports received, and their bytes. */
  received(): { exports: number; bytes: number };
  /** Polls until `spans()` satisfies `done`; throws naming `what` after `timeoutMs`. */
  waitFor(
    done: (spans: ExportedSpan[]) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<ExportedSpan[]>;
  stop(): Promise<void>;
}

interface OtlpValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}

interface OtlpAttribute {
  key: string;
  value?: OtlpValue;
}

interface OtlpExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpAttribute[];
      }[];
    }[];
  }[];
}

function plain(value: OtlpValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue ?? value.doubleValue;
}

const attributesOf = (attributes: OtlpAttribute[] = []): Record<string, unknown> =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, plain(value)]));

function spansOf(body: OtlpExport): ExportedSpan[] {
  return (body.resourceSpans ?? []).flatMap(({ resource, scopeSpans }) =>
    (scopeSpans ?? []).flatMap(({ scope, spans }) =>
      (spans ?? []).map((span) => ({
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        scope: scope?.name ?? '',
        attributes: attributesOf(span.attributes),
        resource: attributesOf(resource?.attributes),
      })),
    ),
  );
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

/** Starts a sink on a free loopback port. */
export async function startOtlpSink(options: { keep: boolean }): Promise<OtlpSink> {
  const raw: string[] = [];
  const spans: ExportedSpan[] = [];
  let exports = 0;
  let bytes = 0;
  const server = createServer((request, response) => {
    bodyOf(request).then(
      (body) => {
        exports += 1;
        bytes += body.length;
        const json = request.headers['content-type']?.startsWith('application/json') ?? false;
        if (options.keep && json) {
          const text = body.toString('utf8');
          raw.push(text);
          spans.push(...spansOf(JSON.parse(text) as OtlpExport));
        }
        // An empty ExportTraceServiceResponse, in the encoding of the request.
        response.writeHead(200, {
          'content-type': json ? 'application/json' : 'application/x-protobuf',
        });
        response.end(json ? '{}' : '');
      },
      () => {
        response.writeHead(400).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...spans],
    raw: () => raw.join('\n'),
    received: () => ({ exports, bytes }),
    async waitFor(done, what, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(spans)) {
        if (Date.now() > deadline) {
          throw new Error(`no ${what} among ${spans.length} exported spans after ${timeoutMs} ms`);
        }
        await sleep(50);
      }
      return [...spans];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A request's `request completed` log line, with the trace fields pino's instrumentation adds. */
export interface RequestLogLine {
  requestId: string;
  msg: string;
  trace_id?: string;
  span_id?: string;
  trace_flags?: string;
}

/**
 * Waits for the `request completed` line of `requestId` among a process's stdout lines
 * (`StartedProcess.stdoutLines`): it is written as the response closes, so it may follow the
 * answer by a moment.
 */
export async function requestLogLine(
  lines: () => string[],
  requestId: string,
  timeoutMs = 10_000,
): Promise<RequestLogLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = lines()
      .map((text) => JSON.parse(text) as RequestLogLine)
      .find((record) => record.requestId === requestId && record.msg === 'request completed');
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no request line for ${requestId}`);
    await sleep(50);
  }
}
