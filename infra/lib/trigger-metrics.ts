import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * The trigger's own CloudWatch metrics, which it writes in the embedded metric format
 * (trigger/src/metrics, trigger/README.md "Metrics"). Infra does not depend on the trigger
 * package: the names are kept here, and a test reads the trigger's source to hold them equal.
 */

/** The namespace of every trigger metric. */
export const TRIGGER_METRICS_NAMESPACE = 'Authstack/Trigger';

/** The one dimension: which trigger the invocation was. */
export const TRIGGER_DIMENSION = 'Trigger';

export const TRIGGER_NAMES = ['UserMigration', 'PreSignUp'] as const;
export type TriggerName = (typeof TRIGGER_NAMES)[number];

/**
 * The Count metrics each trigger writes, one per outcome. `Errors` is every failure but a
 * refusal (Lambda's own `Errors` counts refusals too: Cognito learns of one by an error).
 */
export const TRIGGER_COUNT_METRICS = {
  UserMigration: ['Migrated', 'Refused', 'StoreUnavailable', 'InvalidEvent', 'Errors'],
  PreSignUp: ['Allowed', 'Refused', 'StoreUnavailable', 'InvalidEvent', 'Errors'],
} as const satisfies Record<TriggerName, readonly string[]>;

export type TriggerCountMetric = (typeof TRIGGER_COUNT_METRICS)[TriggerName][number];

/** Each legacy-store call's duration (Milliseconds), per trigger. */
export const LEGACY_STORE_LATENCY_METRIC = 'LegacyStoreLatency';

/** One trigger's metric, `statistic` over `period`. */
export function triggerMetric(
  trigger: TriggerName,
  metricName: TriggerCountMetric | typeof LEGACY_STORE_LATENCY_METRIC,
  options: { statistic: string; period: Duration; label?: string },
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: TRIGGER_METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [TRIGGER_DIMENSION]: trigger },
    ...options,
  });
}

/** A Count metric summed over both triggers per period (a trigger without data counts 0). */
export function bothTriggersSum(
  metricName: TriggerCountMetric,
  period: Duration,
  label: string,
): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'FILL(userMigration, 0) + FILL(preSignUp, 0)',
    usingMetrics: {
      userMigration: triggerMetric('UserMigration', metricName, { statistic: 'Sum', period }),
      preSignUp: triggerMetric('PreSignUp', metricName, { statistic: 'Sum', period }),
    },
    label,
    period,
  });
}
