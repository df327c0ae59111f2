import {
  applySignUpDecision,
  runPreSignUp,
  type PreSignUpRequest,
} from '@authstack/local-pool/domain/pre-sign-up';
import type {
  TriggerEvent,
  TriggerInvocation,
  TriggerInvoker,
} from '@authstack/local-pool/domain/trigger-invocation';
import type { PoolRecord } from '@authstack/local-pool/domain/types';
import { domainFixture, type DomainFixture } from '../support/domain-context';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:pre-sign-up';

/** A trigger invoker that records events and answers what the test scripts. */
class ScriptedInvoker implements TriggerInvoker {
  readonly calls: { functionArn: string; event: TriggerEvent }[] = [];
  constructor(public answer: TriggerInvocation) {}

  invokeTrigger(functionArn: string, event: TriggerEvent): Promise<TriggerInvocation> {
    this.calls.push({ functionArn, event });
    return Promise.resolve(this.answer);
  }
}

function withTrigger(pool: PoolRecord): PoolRecord {
  return { ...pool, settings: { ...pool.settings, LambdaConfig: { PreSignUp: ARN } } };
}

describe('runPreSignUp', () => {
  let fixture: DomainFixture;
  let invoker: ScriptedInvoker;
  const request = (pool: PoolRecord): PreSignUpRequest => ({
    pool,
    trigger: 'PreSignUp_SignUp',
    userName: '0b8f2c1e-1111-4222-8333-944455556666',
    clientId: 'client1',
    userAttributes: { email: 'new@example.com', name: 'New Person' },
    validationData: { captcha: 'token' },
  });

  beforeEach(() => {
    fixture = domainFixture();
    invoker = new ScriptedInvoker({ outcome: 'returned', payload: { response: {} } });
    fixture.context.triggers = invoker;
  });
  afterEach(() => fixture.close());

  it("sends Cognito's event to the pool's PreSignUp function, all response flags false", async () => {
    await runPreSignUp(fixture.context, request(withTrigger(fixture.pool)));
    expect(invoker.calls).toEqual([
      {
        functionArn: ARN,
        event: {
          version: '1',
          triggerSource: 'PreSignUp_SignUp',
          region: 'us-east-1',
          userPoolId: fixture.pool.id,
          userName: '0b8f2c1e-1111-4222-8333-944455556666',
          callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client1' },
          request: {
            userAttributes: { email: 'new@example.com', name: 'New Person' },
            validationData: { captcha: 'token' },
            clientMetadata: null,
          },
          response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
        },
      },
    ]);
  });

  it('asks nobody and decides nothing when the pool has no PreSignUp trigger', async () => {
    await expect(runPreSignUp(fixture.context, request(fixture.pool))).resolves.toEqual({
      autoConfirmUser: false,
      autoVerifyEmail: false,
      autoVerifyPhone: false,
    });
    expect(invoker.calls).toEqual([]);
  });

  it('returns the flags the function set', async () => {
    invoker.answer = {
      outcome: 'returned',
      payload: {
        response: { autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: null },
      },
    };
    await expect(
      runPreSignUp(fixture.context, request(withTrigger(fixture.pool))),
    ).resolves.toEqual({ autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: false });
  });

  it.each<[string, TriggerInvocation, { name: string; message: string }]>([
    [
      'a function error, with its message',
      { outcome: 'function-error', errorType: 'Error', errorMessage: 'Go away' },
      { name: 'UserLambdaValidationException', message: 'PreSignUp failed with error Go away.' },
    ],
    [
      'a function error whose message ends with a full stop (Cognito adds one anyway)',
      { outcome: 'function-error', errorType: 'Error', errorMessage: 'Go away!' },
      { name: 'UserLambdaValidationException', message: 'PreSignUp failed with error Go away!.' },
    ],
    [
      'no answer in three attempts',
      { outcome: 'invocation-failed', error: 'Socket timeout while invoking Lambda function' },
      {
        name: 'UnexpectedLambdaException',
        message:
          'PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.',
      },
    ],
    [
      'a Lambda refusal',
      { outcome: 'invocation-failed', error: 'ResourceNotFoundException' },
      {
        name: 'UnexpectedLambdaException',
        message: 'PreSignUp invocation failed due to error ResourceNotFoundException.',
      },
    ],
    [
      'an answer that is not JSON',
      { outcome: 'not-json' },
      {
        name: 'InvalidLambdaResponseException',
        message: 'Invalid lambda function output : Invalid JSON',
      },
    ],
    [
      'null (a handler that returned nothing)',
      { outcome: 'returned', payload: null },
      {
        name: 'InvalidLambdaResponseException',
        message: 'Invalid lambda function output : Invalid JSON',
      },
    ],
    [
      'a response whose flags are not booleans',
      { outcome: 'returned', payload: { response: { autoConfirmUser: 'yes' } } },
      { name: 'InvalidLambdaResponseException', message: 'Unrecognizable lambda output' },
    ],
  ])('fails on %s as Cognito does', async (_case, answer, error) => {
    invoker.answer = answer;
    await expect(
      runPreSignUp(fixture.context, request(withTrigger(fixture.pool))),
    ).rejects.toMatchObject({ ...error, status: 400 });
  });

  it('refuses, rather than skips, when the pool has the trigger but no Lambda endpoint', async () => {
    delete fixture.context.triggers;
    await expect(
      runPreSignUp(fixture.context, request(withTrigger(fixture.pool))),
    ).rejects.toMatchObject({ name: 'UnexpectedLambdaException' });
    expect(fixture.logs.text()).toContain('PreSignUp trigger not invoked');
  });

  it('logs a refusal without the attributes', async () => {
    invoker.answer = { outcome: 'function-error', errorType: 'Refused', errorMessage: 'no' };
    await expect(
      runPreSignUp(fixture.context, request(withTrigger(fixture.pool))),
    ).rejects.toThrow();
    expect(fixture.logs.records()).toContainEqual(
      expect.objectContaining({
        msg: 'PreSignUp trigger refused the sign-up',
        errorType: 'Refused',
        triggerSource: 'PreSignUp_SignUp',
      }),
    );
    expect(fixture.logs.text()).not.toContain('new@example.com');
  });
});

describe('applySignUpDecision', () => {
  const given = { email: 'a@example.com', email_verified: 'false' };
  const decision = (
    autoConfirmUser: boolean,
    autoVerifyEmail = false,
    autoVerifyPhone = false,
  ) => ({
    autoConfirmUser,
    autoVerifyEmail,
    autoVerifyPhone,
  });

  it('leaves the user unconfirmed and unverified when the function decided nothing', () => {
    expect(applySignUpDecision(decision(false), given)).toEqual({
      confirmed: false,
      attributes: given,
    });
  });

  it('confirms with autoConfirmUser and verifies the address with autoVerifyEmail', () => {
    expect(applySignUpDecision(decision(true), given)).toEqual({
      confirmed: true,
      attributes: given,
    });
    expect(applySignUpDecision(decision(true, true), given)).toEqual({
      confirmed: true,
      attributes: { email: 'a@example.com', email_verified: 'true' },
    });
  });

  it("refuses to verify for a user who is not auto-confirmed, in Cognito's words", () => {
    expect(() => applySignUpDecision(decision(false, true), given)).toThrow(
      'Phone or email cannot be auto verified, when user is not being auto confirmed.',
    );
  });

  it('refuses to verify an attribute the user does not have', () => {
    expect(() => applySignUpDecision(decision(true, true), {})).toThrow(/no email attribute/);
    expect(() => applySignUpDecision(decision(true, false, true), given)).toThrow(
      /no phone_number attribute/,
    );
  });
});
