import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { UserMigrationTriggerEvent } from 'aws-lambda';

export interface Invocation {
  output: InvokeCommandOutput;
  payload: Record<string, unknown> & Partial<UserMigrationTriggerEvent>;
}

/** A Lambda SDK client for a local invoke endpoint: local credentials, no retries. */
export function lambdaClient(endpoint: string, region = 'us-east-1'): LambdaClient {
  return new LambdaClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** Invokes `functionName` with `event` and parses the answer, as Cognito would. */
export async function invokeFunction(
  client: LambdaClient,
  functionName: string,
  event: unknown,
): Promise<Invocation> {
  const output = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    }),
  );
  const payload = JSON.parse(new TextDecoder().decode(output.Payload)) as Invocation['payload'];
  return { output, payload };
}
