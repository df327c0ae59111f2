import { unexpectedLambda, userLambdaValidation, type CognitoError } from '../protocol/errors';

/** Any Lambda trigger event Cognito sends: every one names its `triggerSource`. */
export interface TriggerEvent {
  triggerSource: string;
}

/**
 * How one synchronous invocation of a trigger function ended, once Cognito's retries are
 * spent: what the function returned; the error it threw (`FunctionError`); an answer
 * that is not JSON; or no answer at all (`error` is the text Cognito puts after
 * "invocation failed due to error": the Lambda error's name, or its socket timeout).
 */
export type TriggerInvocation =
  | { outcome: 'returned'; payload: unknown }
  | { outcome: 'function-error'; errorType: string; errorMessage: string }
  | { outcome: 'not-json' }
  | { outcome: 'invocation-failed'; error: string };

/** Calls the function behind a trigger ARN through the Lambda Invoke API. Never rejects. */
export interface TriggerInvoker {
  invokeTrigger(functionArn: string, event: TriggerEvent): Promise<TriggerInvocation>;
}

/** What Cognito says when the function never answered (timeouts, every attempt). */
export const SOCKET_TIMEOUT = 'Socket timeout while invoking Lambda function';

/** A trigger that did not answer with an event: it threw, or it could not be invoked. */
export type TriggerFailure = Extract<
  TriggerInvocation,
  { outcome: 'function-error' } | { outcome: 'invocation-failed' }
>;

/**
 * What Cognito answers when a trigger (`PreSignUp`, `UserMigration`) failed: the error it
 * threw is `UserLambdaValidationException "<trigger> failed with error <its message>."`,
 * passed on as it is (whatever PreventUserExistenceErrors says); no answer (5 s, three
 * attempts) or a Lambda refusal is `UnexpectedLambdaException "<trigger> invocation
 * failed due to error <reason>."`.
 */
export function triggerFailure(trigger: string, failure: TriggerFailure): CognitoError {
  return failure.outcome === 'function-error'
    ? userLambdaValidation(`${trigger} failed with error ${failure.errorMessage}.`)
    : unexpectedLambda(`${trigger} invocation failed due to error ${failure.error}.`);
}
