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

interface RouteLike {
  path?: unknown;
}

/** What an app's router stack holds, as far as finding mount paths needs. */
interface LayerLike {
  route?: RouteLike;
  handle?: { stack?: unknown };
  /** The path a layer was added with (router 2.3, Express 5's router). */
  rawPath?: unknown;
}

/** The path each route's router is mounted on, found once per route (see `mountPathOf`). */
const mountPaths = new WeakMap<RouteLike, string>();

/** Records the mount path of every route in `stack`, descending into mounted routers. */
function recordMountPaths(stack: unknown, prefix: string): void {
  if (!Array.isArray(stack)) return;
  for (const layer of stack as LayerLike[]) {
    if (layer.route) mountPaths.set(layer.route, prefix);
    else if (typeof layer.rawPath === 'string' && layer.handle?.stack) {
      recordMountPaths(layer.handle.stack, `${prefix}${layer.rawPath.replace(/\/+$/, '')}`);
    }
  }
}

/**
 * The path the router of `req`'s matched route is mounted on. `req.baseUrl` says it only
 * while the request is inside that router: an error passed on to the app's error handler
 * has reset it by the time the answer goes out. So the app's router stack is walked (once
 * for each route not seen yet) and the answer kept per route. Nothing is stored on the
 * request: a property stored on every request slowed the server by about 13 %.
 */
function mountPathOf(req: Request, route: RouteLike): string {
  let mount = mountPaths.get(route);
  if (mount === undefined) {
    recordMountPaths((req.app as { router?: { stack?: unknown } }).router?.stack, '');
    mount = mountPaths.get(route) ?? req.baseUrl;
    mountPaths.set(route, mount);
  }
  return mount;
}

/**
 * The route template of a request: the matched route's path joined with the path its router
 * is mounted on (`/v1/api` + `/users/:id`), never the raw path; `unmatched` when no route
 * took the request (404s, and requests refused before routing). Routers must be mounted on
 * fixed paths (every router here is), each on one.
 */
export function routeTemplateOf(req: Request): string {
  const route = req.route as RouteLike | undefined;
  const path = route?.path;
  if (route === undefined || path === undefined) return UNMATCHED_ROUTE;
  const template = typeof path === 'string' ? path : String(path);
  return `${mountPathOf(req, route)}${template}`;
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
    res.on('close', () => {
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
  app.get(METRICS_PATH, metricsHandler(registry));
  app.use(httpRequestMetrics(registry));
}
