import { z } from 'zod';
import { invalidLambdaResponse, invalidParameter, unexpectedLambda } from '../protocol/errors';
import type { PoolContext } from './context';
import { triggerFailure } from './trigger-invocation';
import type { PoolRecord } from './types';

export type PreSignUpTrigger = 'PreSignUp_SignUp' | 'PreSignUp_AdminCreateUser';

/** The client id Cognito names in the events of admin operations, which have no app client. */
export const ADMIN_CLIENT_ID = 'CLIENT_ID_NOT_APPLICABLE';

/** The event Cognito sends a PreSignUp function: the user as it will be created, flags all false. */
export interface PreSignUpEvent {
  version: '1';
  triggerSource: PreSignUpTrigger;
  region: string;
  userPoolId: string;
  /** The username the user will have: the UUID (their `sub`) where email is the username. */
  userName: string;
  callerContext: { awsSdkVersion: string; clientId: string };
  request: {
    /** As the request gave them; no `sub` yet (Cognito allocates it after this trigger). */
    userAttributes: Record<string, string>;
    validationData: Record<string, string> | null;
    clientMetadata: Record<string, string> | null;
  };
  response: { autoConfirmUser: false; autoVerifyEmail: false; autoVerifyPhone: false };
}

export interface PreSignUpRequest {
  pool: PoolRecord;
  trigger: PreSignUpTrigger;
  userName: string;
  /** The app client, or `ADMIN_CLIENT_ID` for AdminCreateUser. */
  clientId: string;
  userAttributes: Record<string, string>;
  validationData?: Record<string, string> | undefined;
  clientMetadata?: Record<string, string> | undefined;
}

/** What the function asked the pool to do with the new user. */
export interface PreSignUpDecision {
  autoConfirmUser: boolean;
  autoVerifyEmail: boolean;
  autoVerifyPhone: boolean;
}

const NO_DECISION: PreSignUpDecision = {
  autoConfirmUser: false,
  autoVerifyEmail: false,
  autoVerifyPhone: false,
};

const flag = z.boolean().nullish();
/** The function hands the event back; only its `response` is read. */
const answerSchema = z.object({
  response: z
    .object({ autoConfirmUser: flag, autoVerifyEmail: flag, autoVerifyPhone: flag })
    .nullish(),
});

const INVALID_JSON = 'Invalid lambda function output : Invalid JSON';
const UNRECOGNIZABLE = 'Unrecognizable lambda output';

/** Attribute name/value pairs (ValidationData) as the map the event carries. */
export function attributeMap(
  pairs: readonly { Name: string; Value?: string | undefined }[] | undefined,
): Record<string, string> | undefined {
  return pairs
    ? Object.fromEntries(pairs.map(({ Name, Value }) => [Name, Value ?? '']))
    : undefined;
}

/**
 * Runs the pool's PreSignUp trigger, when it has one, before a user is created (SignUp,
 * AdminCreateUser). Resolves with what the function asked for, all false without a
 * trigger. Fails as Cognito does, and then nothing may be created: a function error is
 * `UserLambdaValidationException "PreSignUp failed with error <its message>."`; no answer
 * (5 s, three attempts) or a Lambda refusal is `UnexpectedLambdaException "PreSignUp
 * invocation failed due to error <reason>."`; an answer that is not the event is
 * `InvalidLambdaResponseException`. A pool with the trigger but no Lambda endpoint
 * refuses too: the local pool never skips the check.
 */
export async function runPreSignUp(
  context: PoolContext,
  request: PreSignUpRequest,
): Promise<PreSignUpDecision> {
  const { pool, trigger } = request;
  const functionArn = pool.settings.LambdaConfig.PreSignUp;
  if (!functionArn) return NO_DECISION;
  const logFields = { poolId: pool.id, triggerSource: trigger };
  if (!context.triggers) {
    context.logger.error(logFields, 'PreSignUp trigger not invoked: no Lambda endpoint configured');
    throw unexpectedLambda(
      'PreSignUp invocation failed due to error LOCAL_POOL_LAMBDA_ENDPOINT is not set.',
    );
  }
  const event: PreSignUpEvent = {
    version: '1',
    triggerSource: trigger,
    region: context.region,
    userPoolId: pool.id,
    userName: request.userName,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: request.clientId },
    request: {
      userAttributes: request.userAttributes,
      validationData: request.validationData ?? null,
      clientMetadata: request.clientMetadata ?? null,
    },
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  };
  const result = await context.triggers.invokeTrigger(functionArn, event);
  switch (result.outcome) {
    case 'function-error':
      context.logger.info(
        { ...logFields, errorType: result.errorType },
        'PreSignUp trigger refused the sign-up',
      );
      throw triggerFailure('PreSignUp', result);
    case 'invocation-failed':
      context.logger.warn(
        { ...logFields, reason: result.error },
        'PreSignUp trigger could not be invoked',
      );
      throw triggerFailure('PreSignUp', result);
    case 'not-json':
      throw invalidLambdaResponse(INVALID_JSON);
    case 'returned': {
      const { payload } = result;
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
        throw invalidLambdaResponse(INVALID_JSON);
      }
      const answer = answerSchema.safeParse(payload);
      if (!answer.success) throw invalidLambdaResponse(UNRECOGNIZABLE);
      const response = answer.data.response ?? {};
      return {
        autoConfirmUser: response.autoConfirmUser ?? false,
        autoVerifyEmail: response.autoVerifyEmail ?? false,
        autoVerifyPhone: response.autoVerifyPhone ?? false,
      };
    }
  }
}

/**
 * A SignUp's new user after the function's decision: CONFIRMED with `autoConfirmUser`
 * (and then no code is sent), the address or phone number verified with the matching
 * flag, which Cognito accepts only for an auto-confirmed user who has that attribute.
 * (AdminCreateUser ignores the decision, as Cognito does.)
 */
export function applySignUpDecision(
  decision: PreSignUpDecision,
  attributes: Record<string, string>,
): { confirmed: boolean; attributes: Record<string, string> } {
  const { autoConfirmUser, autoVerifyEmail, autoVerifyPhone } = decision;
  if ((autoVerifyEmail || autoVerifyPhone) && !autoConfirmUser) {
    throw invalidParameter(
      'Phone or email cannot be auto verified, when user is not being auto confirmed.',
    );
  }
  if (autoVerifyEmail && !attributes.email) {
    throw invalidParameter('Email cannot be auto verified: the user has no email attribute.');
  }
  if (autoVerifyPhone && !attributes.phone_number) {
    throw invalidParameter(
      'Phone number cannot be auto verified: the user has no phone_number attribute.',
    );
  }
  return {
    confirmed: autoConfirmUser,
    attributes: {
      ...attributes,
      ...(autoVerifyEmail ? { email_verified: 'true' } : {}),
      ...(autoVerifyPhone ? { phone_number_verified: 'true' } : {}),
    },
  };
}
