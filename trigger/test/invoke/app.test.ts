import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InvokeCommand,
  ResourceNotFoundException,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { createLogger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { buildInvokeApp, functionArnOf } from '../../src/invoke/app';
import { lambdaClient } from '../support/lambda';

const decoder = new TextDecoder();

/** The fake function: echoes its event, or misbehaves when the event asks it to. */
async function fakeFunction(event: { mode?: string }, context: Context): Promise<unknown> {
  seen.push(context);
  if (event.mode === 'throw') throw new TypeError('something broke');
  if (event.mode === 'throw-string') throw 'plain string';
  if (event.mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 1_000));
  if (event.mode === 'undefined') return undefined;
  return { echo: event, remaining: context.getRemainingTimeInMillis() > 0 };
}
const seen: Context[] = [];
/** What the fake readiness check reports. */
let storeUp = true;

describe('local Lambda Invoke API', () => {
  const capture = new LogCapture();
  let server: Server;
  let endpoint: string;
  let lambda: LambdaClient;

  beforeAll(async () => {
    const app = buildInvokeApp({
      functionName: 'user-migration',
      region: 'eu-west-1',
      timeoutMs: 300,
      invoke: fakeFunction as never,
      ready: () => Promise.resolve(storeUp),
      logger: createLogger({ name: 'invoke-test', destination: capture }),
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    lambda = lambdaClient(endpoint, 'eu-west-1');
  });
  afterAll(async () => {
    lambda.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => seen.splice(0));

  const invoke = (
    payload: unknown,
    input: Partial<ConstructorParameters<typeof InvokeCommand>[0]> = {},
  ) =>
    lambda.send(
      new InvokeCommand({
        FunctionName: 'user-migration',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
        ...input,
      }),
    );

  it('answers a RequestResponse invocation with the function result, as Lambda does', async () => {
    const result = await invoke({ hello: 'world' });
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBeUndefined();
    expect(result.ExecutedVersion).toBe('$LATEST');
    expect(JSON.parse(decoder.decode(result.Payload))).toEqual({
      echo: { hello: 'world' },
      remaining: true,
    });
  });

  it('gives the function a Lambda context whose request id is the one Lambda answers with', async () => {
    const result = await invoke({});
    const [context] = seen;
    expect(context).toMatchObject({
      functionName: 'user-migration',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:user-migration',
    });
    expect(context?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.$metadata.requestId).toBe(context?.awsRequestId);
  });

  it('accepts the function ARN (as Cognito sends it) and the $LATEST qualifier', async () => {
    const arn = functionArnOf('eu-west-1', 'user-migration');
    await expect(invoke({}, { FunctionName: arn })).resolves.toMatchObject({ StatusCode: 200 });
    await expect(invoke({}, { FunctionName: `${arn}:$LATEST` })).resolves.toMatchObject({
      StatusCode: 200,
    });
    await expect(invoke({}, { Qualifier: '$LATEST' })).resolves.toMatchObject({ StatusCode: 200 });
  });

  it('answers a thrown error with 200, X-Amz-Function-Error: Unhandled and {errorType, errorMessage, trace}', async () => {
    const result = await invoke({ mode: 'throw' });
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBe('Unhandled');
    const payload = JSON.parse(decoder.decode(result.Payload)) as Record<string, unknown>;
    expect(payload).toMatchObject({ errorType: 'TypeError', errorMessage: 'something broke' });
    expect(payload.trace).toEqual(expect.arrayContaining(['TypeError: something broke']));
    expect(capture.records()).toContainEqual(
      expect.objectContaining({
        msg: 'invocation completed',
        functionError: 'Unhandled',
        errorType: 'TypeError',
      }),
    );
  });

  it('reports a thrown non-Error as an Error', async () => {
    const result = await invoke({ mode: 'throw-string' });
    expect(result.FunctionError).toBe('Unhandled');
    expect(JSON.parse(decoder.decode(result.Payload))).toEqual({
      errorType: 'Error',
      errorMessage: 'plain string',
    });
  });

  it('fails an invocation that outlives the function timeout with Sandbox.Timedout', async () => {
    const result = await invoke({ mode: 'slow' });
    expect(result.FunctionError).toBe('Unhandled');
    const payload = JSON.parse(decoder.decode(result.Payload)) as {
      errorType: string;
      errorMessage: string;
    };
    expect(payload.errorType).toBe('Sandbox.Timedout');
    expect(payload.errorMessage).toMatch(/Task timed out after 0\.30 seconds/);
  });

  it('answers null when the function returns nothing', async () => {
    const result = await invoke({ mode: 'undefined' });
    expect(decoder.decode(result.Payload)).toBe('null');
  });

  it('answers another function name with ResourceNotFoundException, without invoking anything', async () => {
    const attempt = invoke({}, { FunctionName: 'someone-else' });
    await expect(attempt).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(attempt).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 },
      message: 'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:someone-else',
    });
    await expect(invoke({}, { Qualifier: '7' })).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(seen).toEqual([]);
  });

  it('answers Event invocations with 202 and DryRun with 204', async () => {
    await expect(invoke({}, { InvocationType: 'Event' })).resolves.toMatchObject({
      StatusCode: 202,
    });
    await expect(invoke({}, { InvocationType: 'DryRun' })).resolves.toMatchObject({
      StatusCode: 204,
    });
  });

  it('refuses a payload that is not JSON with InvalidRequestContentException', async () => {
    const response = await fetch(`${endpoint}/2015-03-31/functions/user-migration/invocations`, {
      method: 'POST',
      body: '{"userName":',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    expect(await response.json()).toMatchObject({
      Type: 'User',
      message: expect.stringMatching(/^Could not parse request body into json/),
    });
    expect(seen).toEqual([]);
  });

  it('refuses a payload over 6 MB with RequestTooLargeException', async () => {
    const response = await fetch(`${endpoint}/2015-03-31/functions/user-migration/invocations`, {
      method: 'POST',
      body: JSON.stringify({ big: 'x'.repeat(6 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('x-amzn-errortype')).toBe('RequestTooLargeException');
  });

  it('serves a local-only health check and 404s anything else', async () => {
    const health = await fetch(`${endpoint}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', functionName: 'user-migration' });
    const other = await fetch(`${endpoint}/2015-03-31/functions`);
    expect(other.status).toBe(404);
    expect(other.headers.get('x-powered-by')).toBeNull();
  });

  it('answers /readyz 503 upstream_unavailable (house error body, Retry-After) while the store is down, 200 once it is back; /health stays 200', async () => {
    storeUp = false;
    try {
      const down = await fetch(`${endpoint}/readyz`, { headers: { 'X-Request-Id': 'probe-1' } });
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('5');
      expect(await down.json()).toEqual({
        error: {
          code: 'upstream_unavailable',
          message: 'The legacy user store cannot be reached.',
          requestId: 'probe-1',
        },
      });
      expect((await fetch(`${endpoint}/health`)).status).toBe(200);
    } finally {
      storeUp = true;
    }
    const up = await fetch(`${endpoint}/readyz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ready', legacyStore: 'up' });
  });
});
