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
