/**
 * The trigger's CloudWatch metrics, end to end: the built invoke server runs the real handler
 * over the embedded legacy Postgres, the real Lambda SDK invokes it, and the embedded-metric-
 * format lines are read back from the process's stdout, where Lambda's log would take them.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { maskIdentifier } from '@authstack/shared';
import {
  metricLines,
  startLegacyDatabase,
  startTriggerInvokeServer,
  type LegacyDatabase,
  type TriggerInvokeServer,
} from '../../src/testing';
import { migrationEvent } from '../support/fakes';
import { invokeFunction, lambdaClient } from '../support/lambda';
import { preSignUpEvent, SUB } from '../pre-sign-up/events';

const MIGRATED = { email: 'legacy@example.com', password: 'Legacy-Passw0rd!' };
const WRONG = { email: 'legacy.argon@example.com', password: 'Wrong-Argon2-Passw0rd-1!' };
const STORE_DOWN = { email: 'legacy.reset@example.com', password: 'Legacy-Reset-Passw0rd!' };
const LEGACY_SIGN_UP = 'legacy.php@example.com';
const NEW_SIGN_UP = 'brand.new@example.com';
const EMAILS = [MIGRATED.email, WRONG.email, STORE_DOWN.email, LEGACY_SIGN_UP, NEW_SIGN_UP];
const PASSWORDS = [MIGRATED.password, WRONG.password, STORE_DOWN.password];

const OUTCOME_METRICS = {
  UserMigration: ['Errors', 'InvalidEvent', 'Migrated', 'Refused', 'StoreUnavailable'],
  PreSignUp: ['Allowed', 'Errors', 'InvalidEvent', 'Refused', 'StoreUnavailable'],
} as const;

type Trigger = keyof typeof OUTCOME_METRICS;

interface MetricLine extends Record<string, unknown> {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The EMF line of one invocation, once the child process has flushed it to its stdout. */
async function metricLineOf(
  trigger: TriggerInvokeServer,
  requestId: string | undefined,
): Promise<MetricLine> {
  for (let waited = 0; waited < 10_000; waited += 25) {
    const line = metricLines(trigger).find((record) => record.awsRequestId === requestId);
    if (line) return line as MetricLine;
    await sleep(25);
  }
  throw new Error(`no metric line for request ${String(requestId)}`);
}

/** The metric definitions of a line, in name order, and the values it names. */
const definitionsOf = (line: MetricLine) =>
  [...(line._aws.CloudWatchMetrics[0]?.Metrics ?? [])].sort((a, b) => a.Name.localeCompare(b.Name));

describe('the trigger’s metrics in CloudWatch embedded metric format (invoke server, legacy Postgres)', () => {
  let db: LegacyDatabase;
  let trigger: TriggerInvokeServer;
  let lambda: LambdaClient;
  /** Each case's EMF line, by case. */
  const lines = new Map<string, MetricLine>();

  const invoke = async (name: string, event: unknown) => {
    const { output } = await invokeFunction(lambda, trigger.functionName, event);
    expect(output.$metadata.requestId).toEqual(expect.any(String));
    lines.set(name, await metricLineOf(trigger, output.$metadata.requestId));
    return output;
  };

  beforeAll(async () => {
    db = await startLegacyDatabase();
    trigger = await startTriggerInvokeServer({ legacyDatabaseUrl: db.url });
    lambda = lambdaClient(trigger.endpoint);

    expect(
      (
        await invoke(
          'migrated',
          migrationEvent('UserMigration_Authentication', MIGRATED.email, MIGRATED.password),
        )
      ).FunctionError,
    ).toBeUndefined();
    expect(
      (
        await invoke(
          'wrong password',
          migrationEvent('UserMigration_Authentication', WRONG.email, WRONG.password),
        )
      ).FunctionError,
    ).toBe('Unhandled');
    expect(
      (
        await invoke('invalid event', {
          ...migrationEvent('UserMigration_Authentication', MIGRATED.email, MIGRATED.password),
          triggerSource: 'UserMigration_Unknown',
        })
      ).FunctionError,
    ).toBe('Unhandled');
    expect(
      (
        await invoke(
          'sign-up over a legacy account',
          preSignUpEvent('PreSignUp_SignUp', SUB, { email: LEGACY_SIGN_UP }),
        )
      ).FunctionError,
    ).toBe('Unhandled');
    expect(
      (
        await invoke(
          'sign-up allowed',
          preSignUpEvent('PreSignUp_SignUp', SUB, { email: NEW_SIGN_UP }),
        )
      ).FunctionError,
    ).toBeUndefined();

    await db.halt();
    expect(
      (
        await invoke(
          'migration, store down',
          migrationEvent('UserMigration_Authentication', STORE_DOWN.email, STORE_DOWN.password),
        )
      ).FunctionError,
    ).toBe('Unhandled');
    expect(
      (
        await invoke(
          'sign-up, store down',
          preSignUpEvent('PreSignUp_AdminCreateUser', SUB, { email: NEW_SIGN_UP }),
        )
      ).FunctionError,
    ).toBe('Unhandled');
  });
  afterAll(async () => {
    lambda?.destroy();
    await trigger?.stop();
    await db?.stop();
  });

  it('prints exactly one metric line per invocation, each with a request id of its own', () => {
    const all = metricLines(trigger);
    expect(all).toHaveLength(7);
    expect(new Set(all.map((line) => line.awsRequestId)).size).toBe(7);
  });

  it.each([
    [
      'migrated',
      'UserMigration',
      'UserMigration_Authentication',
      { outcome: 'migrated', Migrated: 1 },
    ],
    [
      'wrong password',
      'UserMigration',
      'UserMigration_Authentication',
      { outcome: 'refused', reason: 'wrong_password', Refused: 1 },
    ],
    [
      'invalid event',
      'UserMigration',
      'UserMigration_Unknown',
      { outcome: 'invalid_event', InvalidEvent: 1, Errors: 1 },
    ],
    [
      'migration, store down',
      'UserMigration',
      'UserMigration_Authentication',
      { outcome: 'store_unavailable', StoreUnavailable: 1, Errors: 1 },
    ],
    [
      'sign-up over a legacy account',
      'PreSignUp',
      'PreSignUp_SignUp',
      { outcome: 'refused', reason: 'legacy_account', Refused: 1 },
    ],
    ['sign-up allowed', 'PreSignUp', 'PreSignUp_SignUp', { outcome: 'allowed', Allowed: 1 }],
    [
      'sign-up, store down',
      'PreSignUp',
      'PreSignUp_AdminCreateUser',
      { outcome: 'store_unavailable', StoreUnavailable: 1, Errors: 1 },
    ],
  ] as const)(
    'writes the %s invocation under Authstack/Trigger, dimension Trigger=%s, its outcome counted once',
    (name, triggerName: Trigger, triggerSource, expected) => {
      const line = lines.get(name);
      if (!line) throw new Error(`no line for ${name}`);
      const callsStore = name !== 'invalid event';
      const { outcome, ...counted } = expected;
      const counts = Object.fromEntries(
        OUTCOME_METRICS[triggerName].map((metric) => [
          metric,
          (counted as Record<string, unknown>)[metric] ?? 0,
        ]),
      );
      expect(line).toEqual({
        Trigger: triggerName,
        level: 'info',
        msg: 'invocation metrics',
        awsRequestId: expect.any(String),
        triggerSource,
        outcome,
        ...('reason' in expected ? { reason: expected.reason } : {}),
        ...counts,
        ...(callsStore ? { LegacyStoreLatency: expect.any(Number) } : {}),
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: 'Authstack/Trigger',
              Dimensions: [['Trigger']],
              Metrics: expect.any(Array),
            },
          ],
        },
      });
      expect(definitionsOf(line)).toEqual(
        [
          ...OUTCOME_METRICS[triggerName].map((metric) => ({ Name: metric, Unit: 'Count' })),
          ...(callsStore ? [{ Name: 'LegacyStoreLatency', Unit: 'Milliseconds' }] : []),
        ].sort((a, b) => a.Name.localeCompare(b.Name)),
      );
      if (callsStore) expect(line.LegacyStoreLatency as number).toBeGreaterThanOrEqual(0);
    },
  );

  it('adds up, per trigger, to the exact count of each outcome', () => {
    const sums: Record<string, Record<string, number>> = {};
    for (const line of metricLines(trigger) as MetricLine[]) {
      const sum = (sums[String(line.Trigger)] ??= {});
      for (const { Name, Unit } of definitionsOf(line)) {
        if (Unit === 'Count') sum[Name] = (sum[Name] ?? 0) + Number(line[Name]);
      }
    }
    expect(sums).toEqual({
      UserMigration: { Migrated: 1, Refused: 1, StoreUnavailable: 1, InvalidEvent: 1, Errors: 2 },
      PreSignUp: { Allowed: 1, Refused: 1, StoreUnavailable: 1, InvalidEvent: 0, Errors: 1 },
    });
  });

  it('keeps every stdout line JSON, and no password, address or user hint in a metric line', () => {
    const stdout = trigger.process.stdoutLines().filter((line) => line.trim().length > 0);
    for (const line of stdout) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const output = trigger.process.output();
    for (const password of PASSWORDS) expect(output).not.toContain(password);
    const metrics = JSON.stringify(metricLines(trigger));
    for (const email of EMAILS) {
      expect(metrics.toLowerCase()).not.toContain(email.toLowerCase());
      expect(metrics).not.toContain(maskIdentifier(email));
    }
    expect(metrics).not.toContain(SUB);
  });
});

describe('the metrics module, loaded as the Lambda loads it', () => {
  const MODULE = path.resolve(__dirname, '../../dist/metrics/invocation-metrics.js');
  /** Records every socket the process opens, then loads the module and flushes one invocation. */
  const PROBE = `
const net = require('node:net');
const connections = [];
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  connections.push(args[0]);
  return connect.apply(this, args);
};
const { createTriggerMetrics } = require(process.env.MODULE);
const metrics = createTriggerMetrics({ logger: { warn: () => undefined } });
metrics.record({ trigger: 'UserMigration', awsRequestId: 'probe' }, async () => 'ok').then(() => {
  const loaded = Object.keys(require.cache).filter((file) => file.includes('aws-embedded-metrics'));
  process.stderr.write(JSON.stringify({ connections, loaded }));
});
`;

  it('writes its line to stdout and never reaches for the network (no EC2 probe, no agent)', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', PROBE], {
      env: { PATH: process.env.PATH, MODULE },
    });
    const report = JSON.parse(stderr) as { connections: unknown[]; loaded: string[] };
    expect(report.connections).toEqual([]);
    expect(report.loaded.length).toBeGreaterThan(0);
    expect(
      report.loaded.filter((file) => /EnvironmentDetector|AgentSink|Fetch/.test(file)),
    ).toEqual([]);
    const lines = stdout.split('\n').filter((line) => line.length > 0);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      Trigger: 'UserMigration',
      awsRequestId: 'probe',
      Migrated: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: 'Authstack/Trigger' }] },
    });
  });
});
