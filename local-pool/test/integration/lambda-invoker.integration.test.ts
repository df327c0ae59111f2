import { createLogger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { createLambdaInvoker } from '@authstack/local-pool/adapters/lambda-invoker';
import type { UserMigrationEvent } from '@authstack/local-pool/domain/migration';
import { SOCKET_TIMEOUT } from '@authstack/local-pool/domain/trigger-invocation';
import { FakeLambda, migrated } from './fake-lambda';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:user-migration';

function event(userName: string): UserMigrationEvent {
  return {
    version: '1',
    triggerSource: 'UserMigration_Authentication',
    region: 'us-east-1',
    userPoolId: 'us-east-1_Abcdefghi',
    userName,
    callerContext: { awsSdkVersion: 'test', clientId: 'client' },
    request: { password: 'secret-password', validationData: null, clientMetadata: null },
    response: {},
  };
}

describe('createLambdaInvoker (real Lambda Invoke API over HTTP)', () => {
  let lambda: FakeLambda;
  let endpoint: string;
  const logs = new LogCapture();
  const logger = createLogger({ name: 'test', destination: logs });

  beforeAll(async () => {
    lambda = new FakeLambda();
    endpoint = await lambda.start();
  });

  afterAll(async () => {
    await lambda.stop();
  });

  it('gives up after three attempts that each time out, and says so', async () => {
    lambda.answer = (e) => ({ ...migrated(e, { email: 'slow@example.com' }), delayMs: 400 });
    const invoker = createLambdaInvoker({ endpoint, region: 'us-east-1', logger, timeoutMs: 100 });
    const linesBefore = logs.lines.length;
    await expect(invoker.invokeTrigger(ARN, event('slow@example.com'))).resolves.toEqual({
      outcome: 'invocation-failed',
      error: SOCKET_TIMEOUT,
    });
    // The invoker's own count: a warning per attempt. The fake counts only the attempts whose
    // body it read before the 100 ms gave out, which a busy machine can make fewer.
    const tries = logs
      .records()
      .slice(linesBefore)
      .filter((record) => record.reason === SOCKET_TIMEOUT)
      .map((record) => record.attempt);
    expect(tries).toEqual([1, 2, 3]);
    expect(lambda.attemptsFor('slow@example.com')).toBeLessThanOrEqual(3);
    expect(logs.text()).not.toContain('secret-password');
  });

  it('returns the answer of a timely attempt after a timed-out one', async () => {
    lambda.answer = (e, attempt) => ({
      ...migrated(e, { email: 'late@example.com' }),
      delayMs: attempt === 1 ? 400 : 0,
    });
    const invoker = createLambdaInvoker({ endpoint, region: 'us-east-1', logger, timeoutMs: 100 });
    await expect(invoker.invokeTrigger(ARN, event('late@example.com'))).resolves.toMatchObject({
      outcome: 'returned',
      payload: { response: { userAttributes: { email: 'late@example.com' } } },
    });
    expect(lambda.attemptsFor('late@example.com')).toBe(2);
  });

  it('does not retry a function error', async () => {
    lambda.answer = () => ({
      functionError: 'Unhandled',
      errorType: 'LegacyStoreUnavailable',
      errorMessage: 'The legacy user store is unavailable',
    });
    const invoker = createLambdaInvoker({ endpoint, region: 'us-east-1', logger });
    await expect(invoker.invokeTrigger(ARN, event('error@example.com'))).resolves.toEqual({
      outcome: 'function-error',
      errorType: 'LegacyStoreUnavailable',
      errorMessage: 'The legacy user store is unavailable',
    });
    expect(lambda.attemptsFor('error@example.com')).toBe(1);
  });

  it('fails cleanly when nothing listens at the endpoint', async () => {
    const invoker = createLambdaInvoker({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      logger,
      timeoutMs: 200,
    });
    await expect(invoker.invokeTrigger(ARN, event('nobody@example.com'))).resolves.toEqual({
      outcome: 'invocation-failed',
      error: expect.any(String),
    });
  });
});
