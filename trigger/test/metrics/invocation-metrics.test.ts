import {
  InvalidTriggerEventError,
  LegacyStoreUnavailableError,
  MigrationRefusedError,
} from '../../src/domain/errors';
import {
  createTriggerMetrics,
  TRIGGER_METRICS_NAMESPACE,
  type Invocation,
} from '../../src/metrics/invocation-metrics';
import { LegacyAccountExistsError, SignUpUnavailableError } from '../../src/pre-sign-up/errors';
import { capturedLogger } from '../support/fakes';

type MetricLine = Record<string, unknown> & {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: unknown[] }[];
  };
};

function setup() {
  const lines: string[] = [];
  const { logger } = capturedLogger();
  const metrics = createTriggerMetrics({ logger, write: (line) => lines.push(line) });
  const parsed = () => lines.map((line) => JSON.parse(line) as MetricLine);
  return { metrics, lines, parsed };
}

const userMigration: Invocation = {
  trigger: 'UserMigration',
  awsRequestId: 'req-1',
  triggerSource: 'UserMigration_Authentication',
};
const preSignUp: Invocation = {
  trigger: 'PreSignUp',
  awsRequestId: 'req-2',
  triggerSource: 'PreSignUp_SignUp',
};

const byName = (metrics: unknown[]) =>
  [...(metrics as { Name: string }[])].sort((a, b) => a.Name.localeCompare(b.Name));

describe('createTriggerMetrics — one embedded-metric-format line per invocation', () => {
  it('writes a migration as one JSON line: namespace, the Trigger dimension, every outcome count and the store latencies', async () => {
    const { metrics, lines, parsed } = setup();
    const result = await metrics.record(userMigration, async (timer) => {
      timer.legacyStoreLatency(12.3456);
      timer.legacyStoreLatency(3);
      return 'the event';
    });
    expect(result).toBe('the event');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    const [line] = parsed();
    expect(line).toEqual({
      Trigger: 'UserMigration',
      level: 'info',
      msg: 'invocation metrics',
      awsRequestId: 'req-1',
      triggerSource: 'UserMigration_Authentication',
      outcome: 'migrated',
      Migrated: 1,
      Refused: 0,
      StoreUnavailable: 0,
      InvalidEvent: 0,
      Errors: 0,
      LegacyStoreLatency: [12.35, 3],
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: TRIGGER_METRICS_NAMESPACE,
            Dimensions: [['Trigger']],
            Metrics: expect.any(Array),
          },
        ],
      },
    });
    expect(byName(line?._aws.CloudWatchMetrics[0]?.Metrics ?? [])).toEqual([
      { Name: 'Errors', Unit: 'Count' },
      { Name: 'InvalidEvent', Unit: 'Count' },
      { Name: 'LegacyStoreLatency', Unit: 'Milliseconds' },
      { Name: 'Migrated', Unit: 'Count' },
      { Name: 'Refused', Unit: 'Count' },
      { Name: 'StoreUnavailable', Unit: 'Count' },
    ]);
  });

  it('counts an allowed sign-up under PreSignUp, with its own outcome metrics', async () => {
    const { metrics, parsed } = setup();
    await metrics.record(preSignUp, async () => 'allowed');
    expect(parsed()[0]).toMatchObject({
      Trigger: 'PreSignUp',
      outcome: 'allowed',
      Allowed: 1,
      Refused: 0,
      StoreUnavailable: 0,
      InvalidEvent: 0,
      Errors: 0,
    });
    expect(parsed()[0]).not.toHaveProperty('Migrated');
    expect(parsed()[0]).not.toHaveProperty('LegacyStoreLatency');
  });

  it.each([
    [
      'a refused migration, with its reason',
      userMigration,
      new MigrationRefusedError('wrong_password'),
      { outcome: 'refused', reason: 'wrong_password', Refused: 1, Errors: 0 },
    ],
    [
      'a sign-up refused over a legacy account',
      preSignUp,
      new LegacyAccountExistsError(),
      { outcome: 'refused', reason: 'legacy_account', Refused: 1, Errors: 0 },
    ],
    [
      'a migration the store could not answer',
      userMigration,
      new LegacyStoreUnavailableError(),
      { outcome: 'store_unavailable', StoreUnavailable: 1, Errors: 1 },
    ],
    [
      'a sign-up the store could not answer',
      preSignUp,
      new SignUpUnavailableError(),
      { outcome: 'store_unavailable', StoreUnavailable: 1, Errors: 1 },
    ],
    [
      'an invalid event',
      userMigration,
      new InvalidTriggerEventError('Unsupported trigger source'),
      { outcome: 'invalid_event', InvalidEvent: 1, Errors: 1 },
    ],
    [
      'an unexpected error (a defect)',
      preSignUp,
      new TypeError('x is undefined'),
      { outcome: 'error', errorType: 'TypeError', Errors: 1 },
    ],
  ])('counts %s, and rethrows the same error', async (_case, invocation, error, expected) => {
    const { metrics, parsed } = setup();
    await expect(
      metrics.record(invocation, async () => {
        throw error;
      }),
    ).rejects.toBe(error);
    const [line] = parsed();
    const counts = Object.fromEntries(
      ['Migrated', 'Allowed', 'Refused', 'StoreUnavailable', 'InvalidEvent', 'Errors']
        .filter((name) => line && name in line)
        .map((name) => [name, line?.[name]]),
    );
    const hits = Object.entries(counts).filter(([, count]) => count === 1);
    expect(Object.fromEntries(hits)).toEqual(
      Object.fromEntries(Object.entries(expected).filter(([, value]) => value === 1)),
    );
    expect(Object.values(counts).every((count) => count === 0 || count === 1)).toBe(true);
    expect(line).toMatchObject(expected);
    expect(parsed()).toHaveLength(1);
  });

  it('keeps a triggerSource only when it is one of Cognito’s, and never a dimension of it', async () => {
    const { metrics, parsed } = setup();
    await metrics
      .record(
        { trigger: 'UserMigration', awsRequestId: 'req-3', triggerSource: 'legacy@example.com' },
        async () => {
          throw new InvalidTriggerEventError('Unsupported trigger source');
        },
      )
      .catch(() => undefined);
    const [line] = parsed();
    expect(line).not.toHaveProperty('triggerSource');
    expect(JSON.stringify(line)).not.toContain('legacy@example.com');
    expect(line?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Trigger']]);
  });
});
