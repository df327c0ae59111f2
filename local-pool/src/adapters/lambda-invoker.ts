import { setTimeout as sleep } from 'node:timers/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Logger } from '@authstack/shared';
import {
  SOCKET_TIMEOUT,
  type TriggerEvent,
  type TriggerInvocation,
  type TriggerInvoker,
} from '../domain/trigger-invocation';

export interface LambdaInvokerOptions {
  endpoint: string;
  region: string;
  logger: Logger;
  /** Per attempt; Cognito gives a trigger 5 s. */
  timeoutMs?: number;
  /** Cognito gives up after three attempts. */
  attempts?: number;
}

/** An attempt that may be made again; `error` is what Cognito would report if it were the last. */
class RetryableFailure extends Error {
  constructor(
    readonly error: string,
    options: { cause: unknown },
  ) {
    super(error, options);
  }
}

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::([^:]+))?$/;

/**
 * The function name and qualifier of a Lambda ARN. Real Lambda accepts the whole ARN
 * as `FunctionName`, but the Runtime Interface Emulator (the trigger's container in
 * docker compose) matches the plain name only, so the pool sends the name.
 */
export function functionTarget(functionArn: string): { FunctionName: string; Qualifier?: string } {
  const match = FUNCTION_ARN.exec(functionArn);
  if (!match?.[1]) return { FunctionName: functionArn };
  return match[2] ? { FunctionName: match[1], Qualifier: match[2] } : { FunctionName: match[1] };
}

const RETRYABLE_ERRORS = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'ServiceException',
  'EC2ThrottledException',
  'ResourceConflictException',
]);

/** No answer: the attempt timed out or the endpoint could not be reached. */
function isNoAnswer(error: Error): boolean {
  const code = (error as { code?: string }).code;
  return (
    error.name === 'AbortError' ||
    error.name === 'TimeoutError' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT'
  );
}

function isRetryable(error: Error): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (
    isNoAnswer(error) ||
    RETRYABLE_ERRORS.has(error.name) ||
    (status !== undefined && (status === 429 || status >= 500))
  );
}

/** The part of a trigger source before `_`: `UserMigration`, `PreSignUp`. */
const triggerName = (event: TriggerEvent): string => event.triggerSource.split('_')[0] ?? 'Lambda';

/** The `{errorType, errorMessage}` Lambda answers with a function error, read leniently. */
function functionErrorOf(payload: string, functionError: string): TriggerInvocation {
  let body: unknown;
  try {
    body = JSON.parse(payload);
  } catch {
    body = undefined;
  }
  const { errorType, errorMessage } = (body ?? {}) as {
    errorType?: unknown;
    errorMessage?: unknown;
  };
  return {
    outcome: 'function-error',
    errorType: typeof errorType === 'string' ? errorType : functionError,
    errorMessage: typeof errorMessage === 'string' ? errorMessage : '',
  };
}

/**
 * Invokes trigger functions (UserMigration, PreSignUp) through the Lambda Invoke API, as
 * Cognito does: synchronously (RequestResponse), 5 s per attempt, retrying a timeout,
 * throttling or a 5xx up to three attempts in all. A function error (`FunctionError`) is
 * final. Events hold passwords and personal data, so they are never logged.
 */
export function createLambdaInvoker(options: LambdaInvokerOptions): TriggerInvoker {
  const client = new LambdaClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const timeoutMs = options.timeoutMs ?? 5_000;
  const attempts = options.attempts ?? 3;

  async function attempt(functionArn: string, payload: Uint8Array): Promise<TriggerInvocation> {
    try {
      const output = await client.send(
        new InvokeCommand({
          ...functionTarget(functionArn),
          InvocationType: 'RequestResponse',
          Payload: payload,
        }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
      const text = Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
      if (output.FunctionError) return functionErrorOf(text, output.FunctionError);
      try {
        return { outcome: 'returned', payload: JSON.parse(text) as unknown };
      } catch {
        return { outcome: 'not-json' };
      }
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (!isRetryable(failure)) return { outcome: 'invocation-failed', error: failure.name };
      throw new RetryableFailure(isNoAnswer(failure) ? SOCKET_TIMEOUT : failure.name, {
        cause: error,
      });
    }
  }

  async function invokeTrigger(
    functionArn: string,
    event: TriggerEvent,
  ): Promise<TriggerInvocation> {
    const payload = Buffer.from(JSON.stringify(event));
    for (let n = 1; ; n += 1) {
      try {
        return await attempt(functionArn, payload);
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        options.logger.warn(
          { attempt: n, reason: error.error, triggerSource: event.triggerSource },
          `${triggerName(event)} invocation failed; retrying`,
        );
        if (n >= attempts) return { outcome: 'invocation-failed', error: error.error };
        await sleep(100 * n);
      }
    }
  }

  return { invokeTrigger };
}
