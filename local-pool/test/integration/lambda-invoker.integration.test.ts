import { createLogger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { createLambdaInvoker } from '@authstack/local-pool/adapters/lambda-invoker';
import { MigrationFailed, type UserMigrationEvent } from '@authstack/local-pool/domain/migration';
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
    await expect(invoker.invoke(ARN, event('slow@example.com'))).rejects.toBeInstanceOf(
      MigrationFailed,
    );
    expect(lambda.attemptsFor('slow@example.com')).toBe(3);
    expect(logs.text()).not.toContain('secret-password');
  });

  it('returns the answer of a timely attempt after a timed-out one', async () => {
    lambda.answer = (e, attempt) => ({
      ...migrated(e, { email: 'late@example.com' }),
      delayMs: attempt === 1 ? 400 : 0,
    });
    const invoker = createLambdaInvoker({ endpoint, region: 'us-east-1', logger, timeoutMs: 100 });
    await expect(invoker.invoke(ARN, event('late@example.com'))).resolves.toMatchObject({
      response: { userAttributes: { email: 'late@example.com' } },
    });
    expect(lambda.attemptsFor('late@example.com')).toBe(2);
  });

  it('does not retry a function error', async () => {
    lambda.answer = () => ({ functionError: 'Unhandled' });
    const invoker = createLambdaInvoker({ endpoint, region: 'us-east-1', logger });
    await expect(invoker.invoke(ARN, event('error@example.com'))).rejects.toThrow(
      /function failed/,
    );
    expect(lambda.attemptsFor('error@example.com')).toBe(1);
  });

  it('fails cleanly when nothing listens at the endpoint', async () => {
    const invoker = createLambdaInvoker({
      endpoint: 'http://127.0.0.1:1',
      region: 'us-east-1',
      logger,
      timeoutMs: 200,
    });
    await expect(invoker.invoke(ARN, event('nobody@example.com'))).rejects.toBeInstanceOf(
      MigrationFailed,
    );
  });
});
