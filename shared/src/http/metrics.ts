import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Where every server answers a scrape: outside `/<stage>/api`, on the server's own port. */
export const METRICS_PATH = '/metrics';

/** The `route` label of a request that no route took: random paths never add series. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The `status_class` of a request whose client left before an answer started. */
export const ABORTED_STATUS_CLASS = 'aborted';

/**
 * Request durations, in seconds: from a cached token check (well under a millisecond) to a
 * call to the user pool that meets its deadline.
 */
export const HTTP_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface MetricsRegistryOptions {
  /** The `service` label every series of the registry carries (e.g. `auth-server`). */
  service?: string;
  /** Node's process metrics (CPU, memory, event-loop delay, GC, handles); default true. */
  processMetrics?: boolean;
}

/**
 * A Prometheus registry of its own for one app instance, never prom-client's global one:
 * tests build several apps in one process, and each counts only its own requests.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.service !== undefined) registry.setDefaultLabels({ service: options.service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

const ROUTE = Symbol('route');
const MOUNT_PATH = Symbol('mountPath');

interface RouteLike {
  path?: unknown;
}

type TrackedRequest = Request & { [ROUTE]?: RouteLike; [MOUNT_PATH]?: string };

/**
 * Makes the app's requests remember where their route was mounted. Express sets `req.route`
 * when a route matches, and `req.baseUrl` is then the path of the router it is mounted on;
 * by the time the answer goes out an error may have left that router and reset `baseUrl`,
 * so it is taken here, at the match. Installed on the app's own request prototype (a
 * property defined per request would slow every request down).
 */
function rememberRouteMounts(app: Express): void {
  const prototype = app.request as TrackedRequest;
  if (Object.getOwnPropertyDescriptor(prototype, 'route')?.set) return;
  Object.defineProperty(prototype, 'route', {
    configurable: true,
    enumerable: true,
    get(this: TrackedRequest): RouteLike | undefined {
      return this[ROUTE];
    },
    set(this: TrackedRequest, route: RouteLike) {
      this[ROUTE] = route;
      this[MOUNT_PATH] = this.baseUrl;
    },
  });
}

/**
 * The route template of a request: the matched route's path joined with the path its router
 * is mounted on (`/v1/api` + `/users/:id`), never the raw path; `unmatched` when no route
 * took the request (404s, and requests refused before routing). Mount paths are taken as
 * they matched, so routers must be mounted on fixed paths (every router here is).
 */
export function routeTemplateOf(req: Request): string {
  const tracked = req as TrackedRequest;
  const path = tracked[ROUTE]?.path;
  if (path === undefined) return UNMATCHED_ROUTE;
  const template = typeof path === 'string' ? path : String(path);
  return `${tracked[MOUNT_PATH] ?? ''}${template}`;
}

/** `2xx`, `4xx`…; `aborted` when the client went away before an answer started. */
export function statusClassOf(res: Response): string {
  if (!res.headersSent) return ABORTED_STATUS_CLASS;
  return `${Math.floor(res.statusCode / 100)}xx`;
}

/** Serves the registry in the Prometheus text format. */
export function metricsHandler(registry: Registry): RequestHandler {
  return async (_req, res) => {
    const text = await registry.metrics();
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', registry.contentType);
    res.status(200).send(text);
  };
}

/**
 * Counts every request when its response closes: `http_requests_total` and
 * `http_request_duration_seconds` by method, route template and status class.
 */
function httpRequestMetrics(registry: Registry): RequestHandler {
  const labelNames = ['method', 'route', 'status_class'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status class.',
    labelNames,
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request arriving to its response closing, by method, route template and status class.',
    labelNames,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.once('close', () => {
      const labels = {
        method: req.method,
        route: routeTemplateOf(req),
        status_class: statusClassOf(res),
      };
      requests.inc(labels);
      durations.observe(labels, (performance.now() - started) / 1000);
    });
    next();
  };
}

/**
 * Instruments an app: `GET /metrics` answers from `registry` (its scrapes are not counted),
 * and every later request is counted by route template (see `routeTemplateOf`). Call it
 * once, after the request context and before the routers.
 */
export function useMetrics(app: Express, registry: Registry): void {
  rememberRouteMounts(app);
  app.get(METRICS_PATH, metricsHandler(registry));
  app.use(httpRequestMetrics(registry));
}
