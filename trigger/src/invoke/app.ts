import { randomUUID } from 'node:crypto';
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type Response,
} from 'express';
import type { Context } from 'aws-lambda';
import { requestContext, sendError, ServiceUnavailableError, type Logger } from '@authstack/shared';
import { createLambdaContext, type FunctionIdentity } from './lambda-context';

/** The function behind the endpoint: the trigger's `handler`, or a fake in tests (`never`: any event type fits). */
export type InvokeFunction = (event: never, context: Context) => Promise<unknown>;

export interface InvokeAppDeps {
  functionName: string;
  region: string;
  /** Lambda's configured timeout: past it the invocation fails with `Sandbox.Timedout`. */
  timeoutMs: number;
  invoke: InvokeFunction;
  /** Readiness: whether what the function depends on (the legacy store) answers now. Never rejects. */
  ready: () => Promise<boolean>;
  logger: Logger;
}

/** The account id the local ARN carries (the placeholder LocalStack and SAM use too). */
export const LOCAL_ACCOUNT_ID = '000000000000';
/** What a not-ready answer tells the prober to wait before asking again. */
const READINESS_RETRY_AFTER_SECONDS = 5;
/** Lambda's limit for a synchronous invocation's payload. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export function functionArnOf(region: string, functionName: string): string {
  return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`;
}

/**
 * The function name and qualifier from the path, which may hold a name (`f`, `f:$LATEST`),
 * a partial ARN (`123456789012:function:f`) or a full ARN, as Lambda accepts.
 */
function parseFunctionReference(reference: string): { name: string; qualifier?: string } {
  const parts = reference.split(':');
  if (parts[0] === 'arn' && parts.length >= 7 && parts[2] === 'lambda' && parts[5] === 'function') {
    return { name: parts[6] ?? '', ...(parts[7] ? { qualifier: parts[7] } : {}) };
  }
  if (parts.length >= 3 && parts[1] === 'function') {
    return { name: parts[2] ?? '', ...(parts[3] ? { qualifier: parts[3] } : {}) };
  }
  return { name: parts[0] ?? '', ...(parts[1] ? { qualifier: parts[1] } : {}) };
}

interface FunctionErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** The Node.js runtime's answer for a thrown error: type, message and the stack lines. */
function functionErrorPayload(error: unknown): FunctionErrorPayload {
  if (error instanceof Error) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n').filter((line) => line.length > 0),
    };
  }
  return { errorType: 'Error', errorMessage: String(error) };
}

class InvocationTimeout extends Error {}

type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';
const INVOCATION_TYPES: readonly string[] = ['RequestResponse', 'Event', 'DryRun'];

interface ServiceError {
  status: number;
  type: string;
  message: string;
}

type Outcome =
  | { ok: true; result: unknown; durationMs: number }
  | { ok: false; payload: FunctionErrorPayload; durationMs: number };

/** Lambda's error answer for a request it refuses (not a function error). */
function sendServiceError(res: Response, error: ServiceError, requestId: string): void {
  res
    .status(error.status)
    .set({ 'x-amzn-ErrorType': error.type, 'x-amzn-RequestId': requestId })
    .json({ Type: 'User', message: error.message });
}

/** What Lambda checks before running anything: the function, the invocation type, the payload. */
function readInvocation(
  req: Request,
  identity: FunctionIdentity,
  region: string,
): { error: ServiceError } | { type: InvocationType; event: unknown } {
  const reference = parseFunctionReference(String(req.params.functionName));
  const qualifier =
    typeof req.query.Qualifier === 'string' ? req.query.Qualifier : reference.qualifier;
  if (reference.name !== identity.functionName || (qualifier && qualifier !== '$LATEST')) {
    const arn = functionArnOf(region, reference.name) + (qualifier ? `:${qualifier}` : '');
    return {
      error: {
        status: 404,
        type: 'ResourceNotFoundException',
        message: `Function not found: ${arn}`,
      },
    };
  }
  const type = req.get('x-amz-invocation-type') ?? 'RequestResponse';
  if (!INVOCATION_TYPES.includes(type)) {
    return {
      error: {
        status: 400,
        type: 'InvalidParameterValueException',
        message: `Unsupported invocation type: ${type}`,
      },
    };
  }
  const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  try {
    return { type: type as InvocationType, event: body.trim().length > 0 ? JSON.parse(body) : {} };
  } catch {
    // The parser's message quotes the payload, which may hold a password: not echoed.
    return {
      error: {
        status: 400,
        type: 'InvalidRequestContentException',
        message: 'Could not parse request body into json',
      },
    };
  }
}

/** Runs the function once with a fresh context, under the configured timeout. */
async function runFunction(
  invoke: InvokeFunction,
  identity: FunctionIdentity,
  event: unknown,
  awsRequestId: string,
): Promise<Outcome> {
  const context = createLambdaContext(identity, awsRequestId);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new InvocationTimeout()), identity.timeoutMs);
  });
  const started = performance.now();
  try {
    const result = await Promise.race([invoke(event as never, context), timeout]);
    return { ok: true, result, durationMs: performance.now() - started };
  } catch (error) {
    const seconds = (identity.timeoutMs / 1000).toFixed(2);
    const payload: FunctionErrorPayload =
      error instanceof InvocationTimeout
        ? {
            errorType: 'Sandbox.Timedout',
            errorMessage: `RequestId: ${awsRequestId} Error: Task timed out after ${seconds} seconds`,
          }
        : functionErrorPayload(error);
    return { ok: false, payload, durationMs: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A local stand-in for the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`)
 * serving one function, answering as Lambda does: 200 with the function's result; 200 with
 * `X-Amz-Function-Error: Unhandled` and `{errorType, errorMessage, trace}` when it throws or
 * times out; 404 `ResourceNotFoundException` for another function; 400 for a payload that is
 * not JSON. `Event` invocations answer 202 and run in the background, `DryRun` answers 204.
 * `GET /health` (liveness) and `GET /readyz` (readiness: 503 `upstream_unavailable` while
 * the legacy store cannot be reached) are local-only; Lambda has no such routes.
 */
export function buildInvokeApp(deps: InvokeAppDeps): Express {
  const { logger } = deps;
  const identity: FunctionIdentity = {
    functionName: deps.functionName,
    functionArn: functionArnOf(deps.region, deps.functionName),
    timeoutMs: deps.timeoutMs,
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', functionName: identity.functionName });
  });

  app.get('/readyz', requestContext(logger), async (req, res) => {
    if (await deps.ready()) {
      res.json({ status: 'ready', legacyStore: 'up' });
      return;
    }
    sendError(
      req,
      res,
      new ServiceUnavailableError(
        'upstream_unavailable',
        'The legacy user store cannot be reached.',
        { headers: { 'Retry-After': String(READINESS_RETRY_AFTER_SECONDS) } },
      ),
    );
  });

  app.post(
    '/2015-03-31/functions/:functionName/invocations',
    express.raw({ type: () => true, limit: MAX_PAYLOAD_BYTES }),
    async (req, res) => {
      const awsRequestId = randomUUID();
      const invocation = readInvocation(req, identity, deps.region);
      if ('error' in invocation) {
        sendServiceError(res, invocation.error, awsRequestId);
        return;
      }
      res.set({ 'x-amzn-RequestId': awsRequestId, 'X-Amz-Executed-Version': '$LATEST' });
      if (invocation.type === 'DryRun') {
        res.status(204).end();
        return;
      }
      if (invocation.type === 'Event') res.status(202).end();
      const outcome = await runFunction(deps.invoke, identity, invocation.event, awsRequestId);
      logger.info(
        {
          functionName: identity.functionName,
          awsRequestId,
          invocationType: invocation.type,
          durationMs: Math.round(outcome.durationMs),
          ...(outcome.ok
            ? {}
            : { functionError: 'Unhandled', errorType: outcome.payload.errorType }),
        },
        'invocation completed',
      );
      if (invocation.type === 'Event') return;
      if (!outcome.ok) res.set('X-Amz-Function-Error', 'Unhandled');
      res
        .status(200)
        .type('application/json')
        .send(JSON.stringify(outcome.ok ? (outcome.result ?? null) : outcome.payload));
    },
  );

  app.use((req, res) => {
    sendServiceError(
      res,
      {
        status: 404,
        type: 'UnknownOperationException',
        message: `Unknown operation: ${req.method} ${req.path}`,
      },
      randomUUID(),
    );
  });

  const onError: ErrorRequestHandler = (error: { type?: string }, _req, res, _next) => {
    if (error.type === 'entity.too.large') {
      sendServiceError(
        res,
        {
          status: 413,
          type: 'RequestTooLargeException',
          message: `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
        },
        randomUUID(),
      );
      return;
    }
    logger.error({ errorType: (error as Error).name }, 'invoke server failed');
    res
      .status(500)
      .set('x-amzn-ErrorType', 'ServiceException')
      .json({ Type: 'Service', message: 'Internal error' });
  };
  app.use(onError);
  return app;
}
