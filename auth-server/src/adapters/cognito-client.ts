import {
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
} from '@aws-sdk/client-cognito-identity-provider';

/** Told of every call to the pool as it ends (metrics). */
export interface PoolCallObserver {
  /**
   * `operation`: the API action (`InitiateAuth`); `outcome`: `ok` or the error's name (the
   * Cognito exception, `TimeoutError`, a socket error code); `seconds`: retries included.
   */
  poolCall(operation: string, outcome: string, seconds: number): void;
}

export interface CognitoClientOptions {
  region: string;
  /** The local pool's URL; undefined for real Cognito. */
  endpoint?: string;
  /** Connection and per-attempt request timeout. */
  timeoutMs: number;
  /** Fixed credentials (tests, benchmarks); the default AWS credential chain when omitted. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  observer?: PoolCallObserver;
}

/**
 * What a failed call is counted as: the exception's name, a socket error's code, or the
 * error's name (`TimeoutError`, `AbortError`: DOMExceptions, not `Error`s).
 */
export function poolErrorName(error: unknown): string {
  if (error instanceof CognitoIdentityProviderServiceException) return error.name;
  const { name, code } = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
  };
  if (name === 'Error' && typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
  return typeof name === 'string' && name !== '' ? name : 'unknown';
}

/**
 * Tells `observer` of each call: one SDK middleware at the initialize step, so a call is
 * counted once, its retries inside its duration.
 */
function observeCalls(client: CognitoIdentityProviderClient, observer: PoolCallObserver): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const output = await next(args);
        observer.poolCall(operation, 'ok', seconds());
        return output;
      } catch (error) {
        observer.poolCall(operation, poolErrorName(error), seconds());
        throw error;
      }
    },
    { step: 'initialize', name: 'authstackPoolCallMetrics' },
  );
}

/**
 * The SDK client as the servers use it: keep-alive connections, connection and
 * request timeouts, and at most one retry. Credentials for Admin* calls come from
 * the default AWS credential chain. With an observer, every call is timed and counted.
 */
export function createCognitoClient(options: CognitoClientOptions): CognitoIdentityProviderClient {
  const agent = { keepAlive: true, maxSockets: 64 };
  const client = new CognitoIdentityProviderClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: options.timeoutMs,
      requestTimeout: options.timeoutMs,
      throwOnRequestTimeout: true,
      httpAgent: agent,
      httpsAgent: agent,
    },
  });
  if (options.observer) observeCalls(client, options.observer);
  return client;
}
