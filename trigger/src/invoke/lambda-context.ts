import type { Context } from 'aws-lambda';

export interface FunctionIdentity {
  functionName: string;
  functionArn: string;
  timeoutMs: number;
}

function unsupported(name: string): () => never {
  return () => {
    throw new Error(
      `context.${name}() is not supported by the local invoke server; return a promise`,
    );
  };
}

/** The Lambda `context` for one local invocation, as the Node.js runtime builds it. */
export function createLambdaContext(identity: FunctionIdentity, awsRequestId: string): Context {
  const deadline = Date.now() + identity.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: identity.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: identity.functionArn,
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: `/aws/lambda/${identity.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
