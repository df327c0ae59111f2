/**
 * The AWS Distro for OpenTelemetry (ADOT) collector that runs beside each server in its task:
 * it scrapes the server's Prometheus `/metrics` on the task's loopback and sends the metrics
 * listed here to CloudWatch as embedded-metric-format logs (exporter `awsemf`), and it
 * receives the server's OTLP traces on loopback and sends them to X-Ray (exporter `awsxray`).
 */

/** The collector image, pinned (release notes: github.com/aws-observability/aws-otel-collector). */
export const ADOT_COLLECTOR_IMAGE = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.50.0';

/** The CloudWatch namespace of every metric the collectors send. */
export const METRICS_NAMESPACE = 'Authstack';

/** Where the server sends OTLP over HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT`): the collector, in the task. */
export const OTLP_HTTP_ENDPOINT = 'http://localhost:4318';

/** How often the collector scrapes `/metrics`: CloudWatch's standard resolution. */
export const SCRAPE_INTERVAL_SECONDS = 60;

/** A Prometheus metric a server exposes, sent to CloudWatch under the same name. */
export interface ForwardedMetric {
  /** The exposed name, which is also the CloudWatch metric name (counters keep `_total`). */
  name: string;
  /** The label that becomes the CloudWatch dimension (one value, one CloudWatch metric). */
  dimension: string;
}

/** The auth-server's sign-ins by outcome (`success`, `invalid_credentials`, `rate_limited`, …). */
export const SIGN_INS_METRIC: ForwardedMetric = {
  name: 'auth_sign_ins_total',
  dimension: 'outcome',
};

/** The resource-server's refused tokens by reason (`expired`, `revoked`, …). */
export const TOKEN_FAILURES_METRIC: ForwardedMetric = {
  name: 'token_verification_failures_total',
  dimension: 'reason',
};

/** Which server metrics reach CloudWatch; everything else stays on `/metrics`. */
export const FORWARDED_METRICS: Record<'auth-server' | 'resource-server', ForwardedMetric[]> = {
  'auth-server': [SIGN_INS_METRIC],
  'resource-server': [TOKEN_FAILURES_METRIC],
};

export interface CollectorConfigProps {
  /** The scrape job's name: the server's workspace. */
  service: string;
  /** The server's port in the task (`/metrics` is served there, on every interface). */
  appPort: number;
  metrics: ForwardedMetric[];
  /** The log group the EMF events go to (CloudWatch makes the metrics from them). */
  metricsLogGroupName: string;
}

/**
 * The collector's configuration (`AOT_CONFIG_CONTENT`). Collector configs are YAML, and YAML
 * is a superset of JSON, so this object is passed as JSON. It holds no `$`: the collector
 * would read one as the start of an environment-variable reference.
 *
 * - Metrics: one scrape job on `localhost:<appPort>/metrics`, keeping only the forwarded
 *   names; `awsemf` sends each as a CloudWatch metric with its one dimension (no roll-ups).
 *   Counters arrive in CloudWatch as the increase over each scrape interval (the exporter
 *   turns Prometheus's running totals into deltas), so `Sum` over a period is a count.
 * - Traces: OTLP on `localhost` only (4317 gRPC, 4318 HTTP), batched by 50 (X-Ray's
 *   PutTraceSegments limit), to X-Ray.
 * - The collector's own logs are JSON, like every other log line of the stack.
 */
export function collectorConfig(props: CollectorConfigProps): Record<string, unknown> {
  const memoryLimiter = { check_interval: '1s', limit_mib: 100, spike_limit_mib: 25 };
  return {
    extensions: { health_check: {} },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: 'localhost:4317' },
          http: { endpoint: 'localhost:4318' },
        },
      },
      prometheus: {
        config: {
          scrape_configs: [
            {
              job_name: props.service,
              scrape_interval: `${SCRAPE_INTERVAL_SECONDS}s`,
              metrics_path: '/metrics',
              static_configs: [{ targets: [`localhost:${props.appPort}`] }],
              metric_relabel_configs: [
                {
                  source_labels: ['__name__'],
                  regex: props.metrics.map((metric) => metric.name).join('|'),
                  action: 'keep',
                },
              ],
            },
          ],
        },
      },
    },
    processors: {
      memory_limiter: memoryLimiter,
      'batch/traces': { timeout: '1s', send_batch_size: 50 },
      'batch/metrics': { timeout: `${SCRAPE_INTERVAL_SECONDS}s` },
    },
    exporters: {
      awsxray: {},
      awsemf: {
        namespace: METRICS_NAMESPACE,
        log_group_name: props.metricsLogGroupName,
        log_stream_name: props.service,
        dimension_rollup_option: 'NoDimensionRollup',
        metric_declarations: props.metrics.map((metric) => ({
          dimensions: [[metric.dimension]],
          metric_name_selectors: [`^${metric.name}`],
        })),
      },
    },
    service: {
      extensions: ['health_check'],
      pipelines: {
        traces: {
          receivers: ['otlp'],
          processors: ['memory_limiter', 'batch/traces'],
          exporters: ['awsxray'],
        },
        metrics: {
          receivers: ['prometheus'],
          processors: ['memory_limiter', 'batch/metrics'],
          exporters: ['awsemf'],
        },
      },
      telemetry: { logs: { level: 'info', encoding: 'json' } },
    },
  };
}
