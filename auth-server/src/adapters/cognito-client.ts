import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

export interface CognitoClientOptions {
  region: string;
  /** The local pool's URL; undefined for real Cognito. */
  endpoint?: string;
  /** Connection and per-attempt request timeout. */
  timeoutMs: number;
  /** Fixed credentials (tests, benchmarks); the default AWS credential chain when omitted. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * The SDK client as the servers use it: keep-alive connections, connection and
 * request timeouts, and at most one retry. Credentials for Admin* calls come from
 * the default AWS credential chain.
 */
export function createCognitoClient(options: CognitoClientOptions): CognitoIdentityProviderClient {
  const agent = { keepAlive: true, maxSockets: 64 };
  return new CognitoIdentityProviderClient({
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
}
