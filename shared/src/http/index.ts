export { requestContext, requestIdOf, noStore } from './request-context';
export { jsonBody } from './json-body';
export {
  errorHandler,
  notFoundHandler,
  refuseOptions,
  sendError,
  type ErrorBody,
  type ErrorMapper,
} from './error-handler';
export { validate } from './validate';
export {
  serve,
  reportListenFailure,
  Lifecycle,
  type RunningServer,
  type ServeOptions,
} from './serve';
export { waitForHttp } from './wait-for-http';
export {
  ABORTED_STATUS_CLASS,
  Counter,
  createMetricsRegistry,
  Gauge,
  Histogram,
  HTTP_DURATION_BUCKETS,
  metricsHandler,
  METRICS_PATH,
  Registry,
  routeTemplateOf,
  statusClassOf,
  UNMATCHED_ROUTE,
  useMetrics,
  type MetricsRegistryOptions,
} from './metrics';
