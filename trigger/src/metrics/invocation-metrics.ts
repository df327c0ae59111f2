// Deep imports on purpose: the package's index starts detecting its environment when it is
// loaded (outside Lambda, an HTTP call to the EC2 metadata address, then a TCP agent), before
// any `Configuration` set here could stop it. These modules never load the detector.
import type { IEnvironment } from 'aws-embedded-metrics/lib/environment/IEnvironment';
import { MetricsLogger } from 'aws-embedded-metrics/lib/logger/MetricsLogger';
import { Unit } from 'aws-embedded-metrics/lib/logger/Unit';
import { LogSerializer } from 'aws-embedded-metrics/lib/serializers/LogSerializer';
import type { ISink } from 'aws-embedded-metrics/lib/sinks/Sink';
import type { Logger } from '@authstack/shared';
import type { TriggerName } from '../dispatch-trigger';
import type { LegacyStoreMetrics } from '../domain/legacy-store-call';
import { failed, succeeded, type InvocationOutcome } from './invocation-outcome';

/** The CloudWatch namespace of the trigger's metrics. */
export const TRIGGER_METRICS_NAMESPACE = 'Authstack/Trigger';

/** Each legacy-store call's duration (Milliseconds), failed and timed-out calls included. */
export const LEGACY_STORE_LATENCY = 'LegacyStoreLatency';

/**
 * The Count metrics of each trigger. Every invocation's line carries all of its trigger's:
 * 1 for its outcome, 0 for the others, so a metric's Sum counts that outcome and SampleCount
 * the invocations. `Errors` counts every failure other than a refusal (store unavailable,
 * invalid event, or a defect): Lambda's own Errors metric counts the refusals too.
 */
export const OUTCOME_METRICS = {
  UserMigration: ['Migrated', 'Refused', 'StoreUnavailable', 'InvalidEvent', 'Errors'],
  PreSignUp: ['Allowed', 'Refused', 'StoreUnavailable', 'InvalidEvent', 'Errors'],
} as const satisfies Record<TriggerName, readonly string[]>;

type OutcomeMetric = (typeof OUTCOME_METRICS)[TriggerName][number];

const METRIC_OF_OUTCOME: Record<InvocationOutcome['outcome'], OutcomeMetric | undefined> = {
  migrated: 'Migrated',
  allowed: 'Allowed',
  refused: 'Refused',
  store_unavailable: 'StoreUnavailable',
  invalid_event: 'InvalidEvent',
  error: undefined,
};

const VERDICTS: ReadonlySet<InvocationOutcome['outcome']> = new Set([
  'migrated',
  'allowed',
  'refused',
]);

/** Cognito's sources look like this; anything else (a malformed event) is not repeated. */
const TRIGGER_SOURCE = /^(UserMigration|PreSignUp)_[A-Za-z]{1,40}$/;

export interface Invocation {
  trigger: TriggerName;
  awsRequestId: string;
  /** The event's `triggerSource`, kept as a property when it is one of Cognito's. */
  triggerSource?: unknown;
}

export interface TriggerMetrics {
  /**
   * Runs one invocation, giving it the recorder of its legacy-store latencies, then writes
   * its metrics as one embedded-metric-format line (its outcome read from what `run`
   * returned or threw) and returns or rethrows as `run` did.
   */
  record<T>(invocation: Invocation, run: (metrics: LegacyStoreMetrics) => Promise<T>): Promise<T>;
}

export interface TriggerMetricsOptions {
  /** Where the metrics are told they could not be written (never expected). */
  logger: Logger;
  /** Writes one line; by default to stdout, which is Lambda's log (and the invoke server's). */
  write?: (line: string) => void;
}

const writeToStdout = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/**
 * The library's environment, chosen rather than detected: its Lambda and Local environments
 * both print the lines, and so does this one, without the `console` that Lambda prefixes with
 * a timestamp (every log line stays JSON) and without probing for EC2 or an agent.
 */
function stdoutEnvironment(write: (line: string) => void): IEnvironment {
  const serializer = new LogSerializer();
  const sink: ISink = {
    name: 'StdoutSink',
    accept: async (context) => {
      for (const line of serializer.serialize(context)) write(line);
    },
  };
  return {
    probe: async () => true,
    getName: () => 'authstack-trigger',
    getType: () => 'AWS::Lambda::Function',
    getLogGroupName: () => 'authstack-trigger',
    configureContext: () => undefined,
    getSink: () => sink,
  };
}

function outcomeCounts(trigger: TriggerName, ended: InvocationOutcome): Map<OutcomeMetric, number> {
  const counted = METRIC_OF_OUTCOME[ended.outcome];
  const isError = !VERDICTS.has(ended.outcome);
  return new Map(
    OUTCOME_METRICS[trigger].map((name) => [
      name,
      (name === 'Errors' ? isError : name === counted) ? 1 : 0,
    ]),
  );
}

/**
 * The trigger's CloudWatch metrics, in the embedded metric format (`aws-embedded-metrics`):
 * namespace `Authstack/Trigger`, one dimension `Trigger` (`UserMigration` | `PreSignUp`),
 * one line per invocation. Never a person in it: no address, no password, no user hint.
 */
export function createTriggerMetrics(options: TriggerMetricsOptions): TriggerMetrics {
  const environment = stdoutEnvironment(options.write ?? writeToStdout);
  const resolveEnvironment = () => Promise.resolve(environment);

  async function flush(
    metrics: MetricsLogger,
    trigger: TriggerName,
    ended: InvocationOutcome,
  ): Promise<void> {
    for (const [name, count] of outcomeCounts(trigger, ended)) {
      metrics.putMetric(name, count, Unit.Count);
    }
    metrics.setProperty('outcome', ended.outcome);
    if ('reason' in ended) metrics.setProperty('reason', ended.reason);
    if ('errorType' in ended) metrics.setProperty('errorType', ended.errorType);
    try {
      await metrics.flush();
    } catch (error) {
      options.logger.warn(
        { errorType: (error as Error).name, errorMessage: (error as Error).message },
        'invocation metrics not written',
      );
    }
  }

  async function record<T>(
    invocation: Invocation,
    run: (metrics: LegacyStoreMetrics) => Promise<T>,
  ): Promise<T> {
    const { trigger, awsRequestId, triggerSource } = invocation;
    const metrics = new MetricsLogger(resolveEnvironment);
    metrics.setNamespace(TRIGGER_METRICS_NAMESPACE);
    metrics.setDimensions({ Trigger: trigger }, false);
    // Shaped like the other log lines too, for whoever reads them as logs (`npm start`).
    metrics.setProperty('level', 'info');
    metrics.setProperty('msg', 'invocation metrics');
    metrics.setProperty('awsRequestId', awsRequestId);
    if (typeof triggerSource === 'string' && TRIGGER_SOURCE.test(triggerSource)) {
      metrics.setProperty('triggerSource', triggerSource);
    }
    const latency: LegacyStoreMetrics = {
      legacyStoreLatency: (milliseconds) => {
        metrics.putMetric(
          LEGACY_STORE_LATENCY,
          Math.round(milliseconds * 100) / 100,
          Unit.Milliseconds,
        );
      },
    };
    let result: T;
    try {
      result = await run(latency);
    } catch (error) {
      await flush(metrics, trigger, failed(error));
      throw error;
    }
    await flush(metrics, trigger, succeeded(trigger));
    return result;
  }

  return { record };
}
