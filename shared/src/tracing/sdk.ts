import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import type { Logger } from 'pino';
import { METRICS_PATH } from '../http/metrics';
import type { Tracing } from './index';
import { pathOf, redactQueryValues } from './redaction';

/** The probes and the scrape, polled all day: traced, they would drown the requests. */
const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', METRICS_PATH]);

/** Longest a shutdown waits for the last spans to be exported (the collector may be gone). */
const SHUTDOWN_DEADLINE_MS = 3_000;

/**
 * The instrumentations, set so that no secret reaches a span:
 * - HTTP records no header (none is listed for capture) and no query value: `url.query` keeps
 *   the names only. Outgoing calls of this stack carry no query string (Cognito and Secrets
 *   Manager take a POST to `/`, the JWKS a plain path). The probes are not traced.
 * - The AWS SDK records the service, operation, region and request id, never a command's
 *   input or output (no extension reads Cognito's); a failed call records the error's name and
 *   message, which Cognito never fills with a password, token or code.
 * - `pg` records the statement text with its placeholders, never the values
 *   (`enhancedDatabaseReporting` off), and only inside a traced request: the background
 *   polling of the state store makes no traces of its own.
 * - Express makes spans for its routers and route handlers (the route's own middleware, e.g.
 *   a rate limit, included), not for app-wide middleware (helmet, body parsing, request log):
 *   their spans were a large share of what tracing cost in the resource-server's bench, and
 *   tell little.
 * - pino gets `trace_id`, `span_id` and `trace_flags` in every line written inside a span;
 *   the lines themselves stay on stdout (no log sending to the SDK).
 */
function instrumentations() {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request) =>
        request.method === 'GET' && UNTRACED_PATHS.has(pathOf(request.url ?? '/')),
      startIncomingSpanHook: (request) => {
        const target = request.url ?? '/';
        const query = target.indexOf('?');
        return query === -1 ? {} : { 'url.query': redactQueryValues(target.slice(query + 1)) };
      },
    }),
    new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
    new AwsInstrumentation(),
    new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
    new PinoInstrumentation({ disableLogSending: true }),
  ];
}

/** `OTEL_LOG_LEVEL` as the SDK reads it (`none`, `error`, `warn`, `info`, `debug`, `verbose`, `all`). */
function diagLevel(): DiagLogLevel {
  const name = process.env.OTEL_LOG_LEVEL?.trim().toUpperCase() ?? 'WARN';
  const level: unknown = DiagLogLevel[name as keyof typeof DiagLogLevel];
  return typeof level === 'number' ? level : DiagLogLevel.WARN;
}

function diagLogger(logger: Logger): DiagLogger {
  const log = logger.child({ component: 'opentelemetry' });
  const line =
    (level: 'error' | 'warn' | 'info' | 'debug' | 'trace') =>
    (message: string, ...args: unknown[]) =>
      log[level](args.length > 0 ? { detail: args.map((arg) => String(arg)) } : {}, message);
  return {
    error: line('error'),
    warn: line('warn'),
    info: line('info'),
    debug: line('debug'),
    verbose: line('trace'),
  };
}

/**
 * Starts the SDK with the standard `OTEL_*` settings (exporter, endpoint, protocol, headers,
 * sampler, batch sizes, resource attributes, propagators) for traces only: no metrics (the
 * servers have `/metrics`) and no logs (stdout). Loaded by `startTracing` only.
 */
export function startSdk(serviceName: string): Tracing {
  const sdk = new NodeSDK({
    // The lowest precedence: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override it.
    resource: resources
      .defaultResource()
      .merge(resources.resourceFromAttributes({ 'service.name': serviceName })),
    instrumentations: instrumentations(),
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return {
    enabled: true,
    logTo(logger) {
      diag.setLogger(diagLogger(logger), { logLevel: diagLevel(), suppressOverrideMessage: true });
    },
    async shutdown() {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_DEADLINE_MS);
      });
      await Promise.race([sdk.shutdown().catch(() => undefined), deadline]);
      clearTimeout(timer);
    },
  };
}
