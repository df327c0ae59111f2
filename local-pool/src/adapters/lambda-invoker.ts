import { setTimeout as sleep } from 'node:timers/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Logger } from '@authstack/shared';
import {
  MigrationFailed,
  type UserMigrationEvent,
  type UserMigrationInvoker,
} from '../domain/migration';

export interface LambdaInvokerOptions {
  endpoint: string;
  region: string;
  logger: Logger;
  /** Per attempt; Cognito gives a trigger 5 s. */
  timeoutMs?: number;
  /** Cognito gives up after three attempts. */
  attempts?: number;
}

class RetryableFailure extends Error {}

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

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: string }).code;
  return (
    error.name === 'AbortError' ||
    error.name === 'TimeoutError' ||
    RETRYABLE_ERRORS.has(error.name) ||
    (status !== undefined && (status === 429 || status >= 500)) ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT'
  );
}

/**
 * Invokes a UserMigration function through the Lambda Invoke API, as Cognito does:
 * synchronously (RequestResponse), 5 s per attempt, retrying a timeout, throttling or
 * a 5xx up to three attempts in all. A function error (`FunctionError`) is final.
 * The event holds the user's password, so it is never logged.
 */
export function createLambdaInvoker(options: LambdaInvokerOptions): UserMigrationInvoker {
  const client = new LambdaClient({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const timeoutMs = options.timeoutMs ?? 5_000;
  const attempts = options.attempts ?? 3;

  async function attempt(functionArn: string, payload: Uint8Array): Promise<unknown> {
    try {
      const output = await client.send(
        new InvokeCommand({
          ...functionTarget(functionArn),
          InvocationType: 'RequestResponse',
          Payload: payload,
        }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
      if (output.FunctionError) {
        throw new MigrationFailed(`the UserMigration function failed (${output.FunctionError})`);
      }
      const text = Buffer.from(output.Payload ?? new Uint8Array()).toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new MigrationFailed('the UserMigration function did not return JSON', {
          cause: error,
        });
      }
    } catch (error) {
      if (error instanceof MigrationFailed) throw error;
      if (isRetryable(error)) throw new RetryableFailure((error as Error).name, { cause: error });
      throw new MigrationFailed(
        `invoking the UserMigration function failed: ${(error as Error).name}`,
        {
          cause: error,
        },
      );
    }
  }

  return {
    async invoke(functionArn, event: UserMigrationEvent) {
      const payload = Buffer.from(JSON.stringify(event));
      for (let n = 1; ; n += 1) {
        try {
          return await attempt(functionArn, payload);
        } catch (error) {
          if (!(error instanceof RetryableFailure)) throw error;
          options.logger.warn(
            { attempt: n, reason: error.message, triggerSource: event.triggerSource },
            'UserMigration invocation failed; retrying',
          );
          if (n >= attempts) {
            throw new MigrationFailed(`the UserMigration function failed ${attempts} times`, {
              cause: error,
            });
          }
          await sleep(100 * n);
        }
      }
    },
  };
}
