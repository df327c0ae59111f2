import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SIGN_INS_METRIC, TOKEN_FAILURES_METRIC } from './telemetry';
import {
  LEGACY_STORE_LATENCY_METRIC,
  TRIGGER_NAMES,
  bothTriggersSum,
  triggerMetric,
  type TriggerCountMetric,
  type TriggerName,
} from './trigger-metrics';

export type ServiceName = 'auth-server' | 'resource-server';

/** The sign-in outcome whose spike is alarmed on: a wrong email or password. */
export const SIGN_IN_FAILURE_OUTCOME = 'invalid_credentials';

/** Where each alarm fires; the infra tests and the README's runbook use the same figures. */
export const ALARM_THRESHOLDS = {
  /** Percent of the load balancer's responses that are 5xx (its own and the servers'). */
  server5xxPercent: 5,
  /** Fewer requests than this in a period are not judged: two errors in ten are not a rate. */
  minimumRequestsFor5xxRate: 20,
  /** p99 of TargetResponseTime, per service: Cognito round trips for the auth-server. */
  p99Latency: {
    'auth-server': Duration.seconds(2),
    'resource-server': Duration.millis(500),
  } satisfies Record<ServiceName, Duration>,
  /** Wrong-password sign-ins per period, all tasks together. */
  signInFailures: 100,
  /**
   * Trigger invocations that failed per period, both triggers: the trigger's own `Errors`, which
   * leaves out refusals (a wrong legacy password is not a fault).
   */
  triggerErrors: 5,
  /** Trigger invocations the legacy store could not answer per period, both triggers. */
  legacyStoreUnavailable: 5,
  /** The trigger's longest run in a period, as a share of its timeout. */
  triggerDurationShareOfTimeout: 0.8,
} as const;

/** The period of every alarm but the unhealthy-host ones (1 minute). */
export const ALARM_PERIOD = Duration.minutes(5);

/** Each alarm's name after the stack name (`AuthStack-alb-5xx-rate`), as the runbook lists them. */
export const ALARM_NAMES = {
  server5xxRate: 'alb-5xx-rate',
  p99Latency: (service: ServiceName) => `${service}-p99-latency`,
  unhealthyHosts: (service: ServiceName) => `${service}-unhealthy-hosts`,
  signInFailureSpike: 'sign-in-failure-spike',
  triggerErrors: 'trigger-errors',
  legacyStoreUnavailable: 'legacy-store-unavailable',
  triggerDuration: 'trigger-duration-near-timeout',
} as const;

export interface MonitoredService {
  name: ServiceName;
  targetGroup: elbv2.ApplicationTargetGroup;
}

export interface MonitoringProps {
  loadBalancer: elbv2.ApplicationLoadBalancer;
  services: MonitoredService[];
  /** The pool's UserMigration and PreSignUp trigger. */
  trigger: lambda.Function;
}

/**
 * The stack's alarms, the SNS topic they notify (on ALARM and back to OK; subscribe an email
 * address or a pager to it), and a CloudWatch dashboard with every alarm's metric. The topic
 * is encrypted with its own KMS key, which CloudWatch may use (the AWS-managed SNS key would
 * not let alarms publish), and only this stack's alarms may publish to it.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');

    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the authstack alarm topic; CloudWatch alarms may use it to publish',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'authstack alarms',
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ThisStacksAlarmsPublish',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: `${stack.stackName}-*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    const notify = new actions.SnsAction(this.topic);
    const alarm = (
      name: string,
      metric: cloudwatch.Metric | cloudwatch.MathExpression,
      options: Omit<cloudwatch.CreateAlarmOptions, 'alarmName'>,
    ): cloudwatch.Alarm => {
      const created = metric.createAlarm(this, name, {
        alarmName: `${stack.stackName}-${name}`,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      this.alarms.push(created);
      return created;
    };

    const lb = props.loadBalancer.metrics;
    const requests = lb.requestCount({ period: ALARM_PERIOD });
    const server5xxRate = new cloudwatch.MathExpression({
      label: '5xx responses (% of requests)',
      expression: `IF(requests >= ${ALARM_THRESHOLDS.minimumRequestsFor5xxRate}, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)`,
      usingMetrics: {
        requests,
        elb5xx: lb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: ALARM_PERIOD }),
        target5xx: lb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
          period: ALARM_PERIOD,
        }),
      },
      period: ALARM_PERIOD,
    });
    const widgets: cloudwatch.IWidget[] = [];
    const graph = (
      title: string,
      created: cloudwatch.Alarm | undefined,
      left: cloudwatch.IMetric[],
      right?: cloudwatch.IMetric[],
    ): void => {
      widgets.push(
        new cloudwatch.GraphWidget({
          title,
          left,
          right,
          leftAnnotations: created ? [created.toAnnotation()] : undefined,
          width: 12,
        }),
      );
    };

    graph(
      'Load balancer: 5xx rate',
      alarm(ALARM_NAMES.server5xxRate, server5xxRate, {
        alarmDescription: `More than ${ALARM_THRESHOLDS.server5xxPercent} % of the load balancer's responses were 5xx (ALB and servers), in two 5-minute periods running.`,
        threshold: ALARM_THRESHOLDS.server5xxPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
      }),
      [server5xxRate],
    );

    for (const service of props.services) {
      const limit = ALARM_THRESHOLDS.p99Latency[service.name];
      const p99 = service.targetGroup.metrics.targetResponseTime({
        statistic: 'p99',
        period: ALARM_PERIOD,
        label: `${service.name} p99 (s)`,
      });
      graph(
        `${service.name}: p99 latency`,
        alarm(ALARM_NAMES.p99Latency(service.name), p99, {
          alarmDescription: `The ${service.name}'s p99 response time (TargetResponseTime) was above ${limit.toMilliseconds()} ms in two of three 5-minute periods.`,
          threshold: limit.toMilliseconds() / 1000,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        }),
        [p99],
      );
      const unhealthy = service.targetGroup.metrics.unhealthyHostCount({
        statistic: 'Maximum',
        period: Duration.minutes(1),
        label: `${service.name} unhealthy targets`,
      });
      graph(
        `${service.name}: unhealthy targets`,
        alarm(ALARM_NAMES.unhealthyHosts(service.name), unhealthy, {
          alarmDescription: `At least one ${service.name} target failed the load balancer's /readyz check for three minutes running.`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
        }),
        [unhealthy],
      );
    }

    const signInFailures = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: SIGN_INS_METRIC.name,
      dimensionsMap: { [SIGN_INS_METRIC.dimension]: SIGN_IN_FAILURE_OUTCOME },
      statistic: 'Sum',
      period: ALARM_PERIOD,
      label: 'wrong email or password',
    });
    graph(
      'Sign-ins by outcome',
      alarm(ALARM_NAMES.signInFailureSpike, signInFailures, {
        alarmDescription: `At least ${ALARM_THRESHOLDS.signInFailures} sign-ins failed with a wrong email or password in 5 minutes (auth_sign_ins_total{outcome="invalid_credentials"}, all auth-server tasks).`,
        threshold: ALARM_THRESHOLDS.signInFailures,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      }),
      [searchByDimension(SIGN_INS_METRIC.name, SIGN_INS_METRIC.dimension)],
    );
    graph('Refused tokens by reason', undefined, [
      searchByDimension(TOKEN_FAILURES_METRIC.name, TOKEN_FAILURES_METRIC.dimension),
    ]);

    const trigger = props.trigger;
    const triggerErrors = bothTriggersSum('Errors', ALARM_PERIOD, 'failed (refusals not counted)');
    graph(
      'Trigger: failed invocations',
      alarm(ALARM_NAMES.triggerErrors, triggerErrors, {
        alarmDescription: `The UserMigration and PreSignUp triggers failed at least ${ALARM_THRESHOLDS.triggerErrors} times in 5 minutes (Authstack/Trigger Errors: the legacy store unavailable, an invalid event or a defect; refusals of a wrong password are not counted).`,
        threshold: ALARM_THRESHOLDS.triggerErrors,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      }),
      [triggerErrors],
      [trigger.metricInvocations({ period: ALARM_PERIOD, statistic: 'Sum', label: 'invocations' })],
    );
    const storeUnavailable = bothTriggersSum(
      'StoreUnavailable',
      ALARM_PERIOD,
      'legacy store unavailable',
    );
    graph(
      'Trigger: legacy store unavailable',
      alarm(ALARM_NAMES.legacyStoreUnavailable, storeUnavailable, {
        alarmDescription: `The legacy store could not answer the UserMigration or PreSignUp trigger at least ${ALARM_THRESHOLDS.legacyStoreUnavailable} times in 5 minutes (Authstack/Trigger StoreUnavailable): legacy users cannot migrate and sign-ups are refused.`,
        threshold: ALARM_THRESHOLDS.legacyStoreUnavailable,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      }),
      [storeUnavailable],
    );
    const count = (name: TriggerName, metric: TriggerCountMetric, label: string) =>
      triggerMetric(name, metric, { statistic: 'Sum', period: ALARM_PERIOD, label });
    graph('Trigger: migrations and sign-ups per 5 minutes', undefined, [
      count('UserMigration', 'Migrated', 'migrated'),
      count('UserMigration', 'Refused', 'migration refused'),
      count('PreSignUp', 'Allowed', 'sign-up allowed'),
      count('PreSignUp', 'Refused', 'sign-up refused (legacy account)'),
    ]);
    graph(
      'Trigger: legacy store latency p99 (ms)',
      undefined,
      TRIGGER_NAMES.map((name) =>
        triggerMetric(name, LEGACY_STORE_LATENCY_METRIC, {
          statistic: 'p99',
          period: ALARM_PERIOD,
          label: `${name} p99`,
        }),
      ),
    );
    const timeout = trigger.timeout;
    if (!timeout) throw new Error('the trigger function has no timeout');
    const slowest = trigger.metricDuration({ period: ALARM_PERIOD, statistic: 'Maximum' });
    const durationLimitMs =
      timeout.toMilliseconds() * ALARM_THRESHOLDS.triggerDurationShareOfTimeout;
    graph(
      'Trigger: longest run (ms)',
      alarm(ALARM_NAMES.triggerDuration, slowest, {
        alarmDescription: `The trigger's longest run was above ${durationLimitMs} ms (${ALARM_THRESHOLDS.triggerDurationShareOfTimeout * 100} % of its ${timeout.toSeconds()} s timeout) in two of three 5-minute periods.`,
        threshold: durationLimitMs,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      }),
      [slowest],
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-alarms`,
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: this.alarms,
            width: 24,
          }),
        ],
        ...pairs(widgets),
      ],
    });
  }
}

/** Every value of one dimension of a forwarded server metric, summed per period. */
function searchByDimension(metric: string, dimension: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dimension}} MetricName="${metric}"', 'Sum', ${ALARM_PERIOD.toSeconds()})`,
    label: '',
    period: ALARM_PERIOD,
  });
}

/** Widgets two to a row. */
function pairs(widgets: cloudwatch.IWidget[]): cloudwatch.IWidget[][] {
  const rows: cloudwatch.IWidget[][] = [];
  for (let index = 0; index < widgets.length; index += 2)
    rows.push(widgets.slice(index, index + 2));
  return rows;
}
