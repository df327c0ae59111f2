/**
 * The first import of `server.ts`: OpenTelemetry patches http, Express, the AWS SDK, `pg` and
 * pino as they load, so tracing starts before any of them is. Off, and nothing loaded, unless
 * an OTLP endpoint or a traces exporter is configured (`OTEL_EXPORTER_OTLP_ENDPOINT`, …).
 */
import { startTracing } from '@authstack/shared/tracing';

export const tracing = startTracing('resource-server');
