import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FLOW_LOG_PREFIX } from '../lib/access-logs';
import { ALARM_THRESHOLDS, SIGN_IN_FAILURE_OUTCOME } from '../lib/monitoring';
import { REPO_ROOT } from '../lib/paths';
import {
  ADOT_COLLECTOR_IMAGE,
  FORWARDED_METRICS,
  METRICS_NAMESPACE,
  SIGN_INS_METRIC,
} from '../lib/telemetry';
import {
  LEGACY_STORE_LATENCY_METRIC,
  TRIGGER_COUNT_METRICS,
  TRIGGER_DIMENSION,
  TRIGGER_METRICS_NAMESPACE,
  TRIGGER_NAMES,
} from '../lib/trigger-metrics';
import { logicalId, synthesize } from './support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Container = Record<string, unknown> & { Name: string };

/** The stack as `cdk.json`'s context makes it; synthesized once for the file. */
const { template } = synthesize();
const resources = template.toJSON().Resources as Record<string, Resource>;
const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
const ofType = (type: string): [string, Resource][] =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

const SERVICES = [
  { workspace: 'auth-server', hint: 'AuthServer', port: 3000 },
  { workspace: 'resource-server', hint: 'ResourceServer', port: 4000 },
] as const;

function containersOf(hint: string): Container[] {
  const task = logicalId(template, 'AWS::ECS::TaskDefinition', `${hint}Task`);
  return resources[task]?.Properties.ContainerDefinitions as Container[];
}

function environmentOf(container: Container | undefined): Record<string, unknown> {
  const pairs = (container?.Environment ?? []) as { Name: string; Value: unknown }[];
  return Object.fromEntries(pairs.map(({ Name, Value }) => [Name, Value]));
}

/** A value the template joins from pieces, with every `{ Ref: id }` written as `<id>`. */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(joined).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref !== undefined) return `<${ref}>`;
  throw new Error(`cannot join ${JSON.stringify(value)}`);
}

/** A value the template joins from pieces, any intrinsic written as `<…>`: for reading only. */
function flattened(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(flattened).join(join[0]);
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
  const ref = (value as { Ref?: string }).Ref;
  if (ref !== undefined) return `<${ref}>`;
  return `<${Object.keys(value as object).join()}>`;
}

/** The `.ts` source of a workspace's `src` (or one folder of it), every file joined. */
function sourceOf(workspace: string, folder = ''): string {
  const read = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) return read(file);
      return file.endsWith('.ts') ? [readFileSync(file, 'utf8')] : [];
    });
  return read(path.join(REPO_ROOT, workspace, 'src', folder)).join('\n');
}

describe('the ADOT collector beside each server', () => {
  describe.each(SERVICES)('$workspace', ({ workspace, hint, port }) => {
    const containers = containersOf(hint);
    const app = containers.find((container) => container.Name === workspace);
    const collector = containers.find((container) => container.Name === 'otel-collector');
    const rawConfig = environmentOf(collector).AOT_CONFIG_CONTENT;
    const metricsGroup = logicalId(template, 'AWS::Logs::LogGroup', `${hint}MetricsLogs`);
    const config = parseYaml(joined(rawConfig)) as Record<string, Record<string, unknown>>;

    it('runs the pinned ADOT image, not essential to the task, read-only, logging beside the server, probed by its own health check', () => {
      expect(containers.map((container) => container.Name).sort()).toEqual(
        ['otel-collector', workspace].sort(),
      );
      expect(ADOT_COLLECTOR_IMAGE).toMatch(
        /^public\.ecr\.aws\/aws-observability\/aws-otel-collector:v\d+\.\d+\.\d+$/,
      );
      expect(collector).toMatchObject({
        Image: ADOT_COLLECTOR_IMAGE,
        Essential: false,
        ReadonlyRootFilesystem: true,
        Memory: 128,
        HealthCheck: { Command: ['CMD', '/healthcheck'] },
        LogConfiguration: {
          LogDriver: 'awslogs',
          Options: {
            'awslogs-group': (app?.LogConfiguration as { Options: Record<string, unknown> })
              .Options['awslogs-group'],
            'awslogs-stream-prefix': 'otel-collector',
          },
        },
      });
      expect(environmentOf(collector).AWS_REGION).toEqual({ Ref: 'AWS::Region' });
      expect(app?.DependsOn).toEqual([{ ContainerName: 'otel-collector', Condition: 'START' }]);
    });

    it('is where the server sends its OTLP traces (localhost:4318 in the task)', () => {
      expect(environmentOf(app)).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
        OTEL_SERVICE_NAME: workspace,
      });
      expect(config.receivers?.otlp).toEqual({
        protocols: {
          grpc: { endpoint: 'localhost:4317' },
          http: { endpoint: 'localhost:4318' },
        },
      });
      expect(config.service?.pipelines).toMatchObject({
        traces: { receivers: ['otlp'], exporters: ['awsxray'] },
      });
    });

    it("scrapes the server's /metrics on the loopback and sends only the forwarded metrics to CloudWatch, one dimension each", () => {
      const forwarded = FORWARDED_METRICS[workspace];
      expect(config.receivers?.prometheus).toEqual({
        config: {
          scrape_configs: [
            {
              job_name: workspace,
              scrape_interval: '60s',
              metrics_path: '/metrics',
              static_configs: [{ targets: [`localhost:${port}`] }],
              metric_relabel_configs: [
                {
                  source_labels: ['__name__'],
                  regex: forwarded.map((metric) => metric.name).join('|'),
                  action: 'keep',
                },
              ],
            },
          ],
        },
      });
      expect(config.exporters?.awsemf).toEqual({
        namespace: METRICS_NAMESPACE,
        log_group_name: `<${metricsGroup}>`,
        log_stream_name: workspace,
        dimension_rollup_option: 'NoDimensionRollup',
        metric_declarations: forwarded.map((metric) => ({
          dimensions: [[metric.dimension]],
          metric_name_selectors: [`^${metric.name}`],
        })),
      });
      expect(config.service?.pipelines).toMatchObject({
        metrics: { receivers: ['prometheus'], exporters: ['awsemf'] },
      });
      expect(config.service?.telemetry).toEqual({ logs: { level: 'info', encoding: 'json' } });
      // The collector would read a `$` as an environment-variable reference.
      expect(JSON.stringify(rawConfig)).not.toContain('$');
    });

    it('forwards metrics the server really exposes, under their exposed names', () => {
      const source = sourceOf(workspace);
      for (const metric of FORWARDED_METRICS[workspace])
        expect(source).toMatch(
          new RegExp(`name: '${metric.name}',[^}]*labelNames: \\[[^\\]]*'${metric.dimension}'`),
        );
    });

    it('may write to its own metrics log group and send trace segments, and the group is kept for a set time', () => {
      const role = logicalId(template, 'AWS::IAM::Role', `${hint}TaskTaskRole`);
      const statements = ofType('AWS::IAM::Policy')
        .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(role))
        .flatMap(
          ([, policy]) => (policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement,
        );
      expect(statements).toEqual(
        expect.arrayContaining([
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [metricsGroup, 'Arn'] },
          },
          {
            Sid: 'SendTraceSegments',
            Effect: 'Allow',
            Action: 'xray:PutTraceSegments',
            Resource: '*',
          },
        ]),
      );
      expect(resources[metricsGroup]?.Properties.RetentionInDays).toBe(30);
    });
  });

  it('counts the sign-in failures the alarm watches under the outcome the auth-server gives them', () => {
    expect(FORWARDED_METRICS['auth-server']).toContainEqual(SIGN_INS_METRIC);
    expect(sourceOf('auth-server')).toContain(`'${SIGN_IN_FAILURE_OUTCOME}'`);
  });
});

describe('alarms', () => {
  const alarms = Object.fromEntries(
    ofType('AWS::CloudWatch::Alarm').map(([id, alarm]) => [
      String(alarm.Properties.AlarmName),
      { id, ...alarm.Properties },
    ]),
  ) as Record<string, Record<string, unknown> & { id: string }>;
  const topic = logicalId(template, 'AWS::SNS::Topic', 'AlarmTopic');
  const loadBalancer = logicalId(
    template,
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'LoadBalancer',
  );
  const trigger = logicalId(template, 'AWS::Lambda::Function', 'UserMigration');
  const targetGroup = (hint: string) =>
    logicalId(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', hint);
  type MetricQuery = {
    Id: string;
    Expression?: string;
    MetricStat?: {
      Metric: {
        MetricName: string;
        Namespace: string;
        Dimensions: { Name: string; Value: unknown }[];
      };
      Stat: string;
      Period: number;
    };
  };
  const queriesOf = (name: string) => (alarms[name]?.Metrics ?? []) as MetricQuery[];

  it('are exactly these, named after the stack, and each notifies the alarm topic on ALARM and on OK', () => {
    expect(Object.keys(alarms).sort()).toEqual(
      [
        'AuthStack-alb-5xx-rate',
        'AuthStack-auth-server-p99-latency',
        'AuthStack-resource-server-p99-latency',
        'AuthStack-auth-server-unhealthy-hosts',
        'AuthStack-resource-server-unhealthy-hosts',
        'AuthStack-sign-in-failure-spike',
        'AuthStack-trigger-errors',
        'AuthStack-legacy-store-unavailable',
        'AuthStack-trigger-duration-near-timeout',
      ].sort(),
    );
    for (const [name, alarm] of Object.entries(alarms))
      expect({ name, ...alarm }).toMatchObject({
        name,
        AlarmActions: [{ Ref: topic }],
        OKActions: [{ Ref: topic }],
        TreatMissingData: 'notBreaching',
        AlarmDescription: expect.any(String),
      });
  });

  it("fire on the load balancer's 5xx rate (its own and the servers'), once there are enough requests to judge", () => {
    const alarm = alarms['AuthStack-alb-5xx-rate'];
    expect(alarm).toMatchObject({
      Threshold: ALARM_THRESHOLDS.server5xxPercent,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
    const queries = queriesOf('AuthStack-alb-5xx-rate');
    expect(queries.find((query) => query.Expression)?.Expression).toBe(
      'IF(requests >= 20, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)',
    );
    const metrics = Object.fromEntries(
      queries.filter((query) => query.MetricStat).map((query) => [query.Id, query.MetricStat]),
    );
    expect(metrics).toEqual({
      requests: expect.objectContaining({ Stat: 'Sum', Period: 300 }),
      elb5xx: expect.objectContaining({ Stat: 'Sum', Period: 300 }),
      target5xx: expect.objectContaining({ Stat: 'Sum', Period: 300 }),
    });
    expect(metrics.requests?.Metric.MetricName).toBe('RequestCount');
    expect(metrics.elb5xx?.Metric.MetricName).toBe('HTTPCode_ELB_5XX_Count');
    expect(metrics.target5xx?.Metric.MetricName).toBe('HTTPCode_Target_5XX_Count');
    for (const metric of Object.values(metrics))
      expect(metric?.Metric.Dimensions).toEqual([
        { Name: 'LoadBalancer', Value: { 'Fn::GetAtt': [loadBalancer, 'LoadBalancerFullName'] } },
      ]);
  });

  it.each([
    ['auth-server', 'AuthServer', 2],
    ['resource-server', 'ResourceServer', 0.5],
  ] as const)(
    'fire on the %s target group: p99 latency above its limit, and an unhealthy target',
    (service, hint, seconds) => {
      const group = { 'Fn::GetAtt': [targetGroup(hint), 'TargetGroupFullName'] };
      const [p99] = queriesOf(`AuthStack-${service}-p99-latency`);
      expect(p99?.MetricStat).toMatchObject({
        Metric: { MetricName: 'TargetResponseTime', Namespace: 'AWS/ApplicationELB' },
        Stat: 'p99',
        Period: 300,
      });
      expect(p99?.MetricStat?.Metric.Dimensions).toContainEqual({
        Name: 'TargetGroup',
        Value: group,
      });
      expect(alarms[`AuthStack-${service}-p99-latency`]).toMatchObject({
        Threshold: seconds,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(ALARM_THRESHOLDS.p99Latency[service].toMilliseconds()).toBe(seconds * 1000);
      const [unhealthy] = queriesOf(`AuthStack-${service}-unhealthy-hosts`);
      expect(unhealthy?.MetricStat).toMatchObject({
        Metric: { MetricName: 'UnHealthyHostCount', Namespace: 'AWS/ApplicationELB' },
        Stat: 'Maximum',
        Period: 60,
      });
      expect(unhealthy?.MetricStat?.Metric.Dimensions).toContainEqual({
        Name: 'TargetGroup',
        Value: group,
      });
      expect(alarms[`AuthStack-${service}-unhealthy-hosts`]).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
      });
    },
  );

  it('fire on a spike of wrong-password sign-ins, counted by the auth-servers and forwarded by their collectors', () => {
    const [query] = queriesOf('AuthStack-sign-in-failure-spike');
    expect(query?.MetricStat).toEqual({
      Metric: {
        Namespace: 'Authstack',
        MetricName: 'auth_sign_ins_total',
        Dimensions: [{ Name: 'outcome', Value: 'invalid_credentials' }],
      },
      Stat: 'Sum',
      Period: 300,
    });
    expect(alarms['AuthStack-sign-in-failure-spike']).toMatchObject({
      Threshold: ALARM_THRESHOLDS.signInFailures,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  /** The two per-trigger Sum queries an alarm adds up, by query id. */
  const bothTriggers = (name: string, metricName: string) => {
    const queries = queriesOf(name);
    expect(queries.find((query) => query.Expression)?.Expression).toBe(
      'FILL(userMigration, 0) + FILL(preSignUp, 0)',
    );
    expect(
      Object.fromEntries(
        queries.filter((query) => query.MetricStat).map((query) => [query.Id, query.MetricStat]),
      ),
    ).toEqual({
      userMigration: {
        Metric: {
          Namespace: 'Authstack/Trigger',
          MetricName: metricName,
          Dimensions: [{ Name: 'Trigger', Value: 'UserMigration' }],
        },
        Stat: 'Sum',
        Period: 300,
      },
      preSignUp: {
        Metric: {
          Namespace: 'Authstack/Trigger',
          MetricName: metricName,
          Dimensions: [{ Name: 'Trigger', Value: 'PreSignUp' }],
        },
        Stat: 'Sum',
        Period: 300,
      },
    });
  };

  it("fire on the triggers' own failures, both triggers together, not on Lambda's Errors (which counts every wrong password)", () => {
    bothTriggers('AuthStack-trigger-errors', 'Errors');
    expect(alarms['AuthStack-trigger-errors']).toMatchObject({
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
    expect(ALARM_THRESHOLDS.triggerErrors).toBe(5);
    expect(alarms['AuthStack-trigger-errors']).not.toHaveProperty('Namespace');
    expect(JSON.stringify(alarms['AuthStack-trigger-errors'])).not.toContain('AWS/Lambda');
  });

  it('fire when the legacy store could not answer the triggers at least 5 times in 5 minutes', () => {
    bothTriggers('AuthStack-legacy-store-unavailable', 'StoreUnavailable');
    expect(alarms['AuthStack-legacy-store-unavailable']).toMatchObject({
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
    expect(ALARM_THRESHOLDS.legacyStoreUnavailable).toBe(5);
  });

  it("fire on the trigger's longest run passing 80 % of its timeout (Lambda's Duration)", () => {
    const timeoutSeconds = resources[trigger]?.Properties.Timeout as number;
    expect(alarms['AuthStack-trigger-duration-near-timeout']).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Statistic: 'Maximum',
      Period: 300,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: trigger } }],
      Threshold: timeoutSeconds * 1000 * 0.8,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('notify a topic encrypted with a rotating key CloudWatch may use, that only this stack’s alarms may publish to, over TLS only', () => {
    const key = logicalId(template, 'AWS::KMS::Key', 'AlarmTopicKey');
    expect(resources[topic]?.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    expect(resources[key]?.Properties.EnableKeyRotation).toBe(true);
    expect(
      (resources[key]?.Properties.KeyPolicy as { Statement: unknown[] }).Statement,
    ).toContainEqual({
      Sid: 'CloudWatchAlarmsPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
    const [[, policy] = []] = ofType('AWS::SNS::TopicPolicy');
    const statements = (
      policy?.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }
    ).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const publish = statements.find((statement) => statement.Effect === 'Allow');
    expect(publish).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: topic },
    });
    const sourceArn = (publish?.Condition as { ArnLike: Record<string, unknown> }).ArnLike[
      'aws:SourceArn'
    ];
    expect(joined(sourceArn)).toBe(
      'arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:AuthStack-*',
    );
    expect(outputs.AlarmTopicArn?.Value).toEqual({ Ref: topic });
  });

  it('are all on one dashboard, with their metrics', () => {
    const [[dashboardId, dashboard] = []] = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboard?.Properties.DashboardName).toBe('AuthStack-alarms');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const alarm of Object.values(alarms))
      expect({ alarm: alarm.id, shown: body.includes(`"${alarm.id}","Arn"`) }).toEqual({
        alarm: alarm.id,
        shown: true,
      });
    expect(body).toContain("SEARCH('{Authstack,outcome} MetricName=");
    expect(body).toContain("SEARCH('{Authstack,reason} MetricName=");
    expect(outputs.DashboardName?.Value).toEqual({ Ref: dashboardId });
  });

  it("show the trigger's migrations and sign-ups per period and the legacy store's p99 latency", () => {
    const [[, dashboard] = []] = ofType('AWS::CloudWatch::Dashboard');
    const { widgets } = JSON.parse(flattened(dashboard?.Properties.DashboardBody)) as {
      widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
    };
    const metricsOf = (title: string) =>
      widgets.find((widget) => widget.properties.title === title)?.properties.metrics;
    expect(metricsOf('Trigger: migrations and sign-ups per 5 minutes')).toEqual([
      [
        'Authstack/Trigger',
        'Migrated',
        'Trigger',
        'UserMigration',
        { label: 'migrated', stat: 'Sum' },
      ],
      [
        'Authstack/Trigger',
        'Refused',
        'Trigger',
        'UserMigration',
        { label: 'migration refused', stat: 'Sum' },
      ],
      [
        'Authstack/Trigger',
        'Allowed',
        'Trigger',
        'PreSignUp',
        { label: 'sign-up allowed', stat: 'Sum' },
      ],
      [
        'Authstack/Trigger',
        'Refused',
        'Trigger',
        'PreSignUp',
        { label: 'sign-up refused (legacy account)', stat: 'Sum' },
      ],
    ]);
    expect(metricsOf('Trigger: legacy store latency p99 (ms)')).toEqual([
      [
        'Authstack/Trigger',
        'LegacyStoreLatency',
        'Trigger',
        'UserMigration',
        { label: 'UserMigration p99', stat: 'p99' },
      ],
      [
        'Authstack/Trigger',
        'LegacyStoreLatency',
        'Trigger',
        'PreSignUp',
        { label: 'PreSignUp p99', stat: 'p99' },
      ],
    ]);
  });
});

describe("the trigger's metrics, as infra names them", () => {
  // Infra does not depend on the trigger package: its source is read, so a rename on either
  // side fails here instead of leaving an alarm on a metric nobody writes.
  const source = sourceOf('trigger', 'metrics');
  const constant = (name: string): string | undefined =>
    new RegExp(`\\b${name}\\s*=\\s*'([^']*)'`).exec(source)?.[1];

  it('are in the namespace the trigger writes to, under its one dimension', () => {
    expect(constant('TRIGGER_METRICS_NAMESPACE')).toBe(TRIGGER_METRICS_NAMESPACE);
    expect(source).toMatch(
      new RegExp(`setDimensions\\(\\{ ${TRIGGER_DIMENSION}: trigger \\}, false\\)`),
    );
    const triggerNames = /export type TriggerName = ([^;]*);/.exec(
      readFileSync(path.join(REPO_ROOT, 'trigger', 'src', 'dispatch-trigger.ts'), 'utf8'),
    )?.[1];
    expect(triggerNames?.split('|').map((name) => name.trim().replace(/'/g, ''))).toEqual([
      ...TRIGGER_NAMES,
    ]);
  });

  it("are exactly each trigger's Count metrics", () => {
    const outcomes = /OUTCOME_METRICS = \{([^}]*)\}/.exec(source)?.[1] ?? '';
    for (const trigger of TRIGGER_NAMES) {
      const written = new RegExp(`${trigger}: \\[([^\\]]*)\\]`)
        .exec(outcomes)?.[1]
        ?.split(',')
        .map((name) => name.trim().replace(/'/g, ''))
        .filter((name) => name.length > 0);
      expect({ trigger, written }).toEqual({
        trigger,
        written: [...TRIGGER_COUNT_METRICS[trigger]],
      });
    }
  });

  it('include the legacy store latency, in milliseconds', () => {
    expect(constant('LEGACY_STORE_LATENCY')).toBe(LEGACY_STORE_LATENCY_METRIC);
    expect(source).toMatch(/LEGACY_STORE_LATENCY,[^;]*Unit\.Milliseconds/);
  });
});

describe('network and load balancer logs', () => {
  const bucket = logicalId(template, 'AWS::S3::Bucket', 'AccessLogsBucket');

  it("records the VPC's traffic in the log bucket, which lets this account's log delivery write there", () => {
    const flowLogs = ofType('AWS::EC2::FlowLog').map(([, flowLog]) => flowLog.Properties);
    expect(flowLogs).toEqual([
      expect.objectContaining({
        ResourceType: 'VPC',
        ResourceId: { Ref: logicalId(template, 'AWS::EC2::VPC', 'Vpc') },
        TrafficType: 'ALL',
        LogDestinationType: 's3',
        LogDestination: {
          'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${FLOW_LOG_PREFIX}`]],
        },
      }),
    ]);
    const [[, policy] = []] = ofType('AWS::S3::BucketPolicy');
    const delivery = (
      policy?.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }
    ).Statement.filter((statement) =>
      JSON.stringify(statement.Principal).includes('delivery.logs.amazonaws.com'),
    );
    expect(delivery.map((statement) => statement.Action)).toEqual([
      's3:PutObject',
      ['s3:GetBucketAcl', 's3:ListBucket'],
    ]);
    for (const statement of delivery)
      expect(statement.Condition).toMatchObject({
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      });
  });

  it('keeps the log bucket private, TLS-only and S3-encrypted, and expires its logs with the log retention', () => {
    expect(resources[bucket]?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 30, Status: 'Enabled' }] },
    });
    const [[, policy] = []] = ofType('AWS::S3::BucketPolicy');
    expect(
      (policy?.Properties.PolicyDocument as { Statement: unknown[] }).Statement,
    ).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });
});
