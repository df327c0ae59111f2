import {
  InitiateAuthCommand,
  type AuthenticationResultType,
} from '@aws-sdk/client-cognito-identity-provider';
import { createConfirmedUser as createUser } from '@authstack/local-pool';
import type { LocalPoolHandle, TestUserPool } from '@authstack/local-pool/testing';

export const PASSWORD = 'Corr3ct-Horse!';

let counter = 0;
/** A unique email address for one test. */
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}.${process.pid}.${counter}.${Date.now().toString(36)}@example.com`;
}

/** Resolves with the error a Cognito call rejected with (fails the test if it succeeded). */
export async function failureOf(
  call: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const { name, message, $metadata } = error as Error & {
      $metadata?: { httpStatusCode?: number };
    };
    return { name, message, status: $metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A CONFIRMED user with a permanent password, made through the admin API. */
export async function createConfirmedUser(
  pool: LocalPoolHandle,
  userPool: TestUserPool,
  email = uniqueEmail(),
  password = PASSWORD,
  attributes: { Name: string; Value: string }[] = [],
): Promise<{ email: string; password: string; sub: string; username: string }> {
  const created = await createUser(pool.client, userPool.userPoolId, {
    email,
    password,
    attributes,
  });
  return { email, password, ...created };
}

export async function signIn(
  pool: LocalPoolHandle,
  userPool: TestUserPool,
  username: string,
  password = PASSWORD,
): Promise<
  Required<Pick<AuthenticationResultType, 'AccessToken' | 'IdToken' | 'RefreshToken'>> &
    AuthenticationResultType
> {
  const result = await pool.client.send(
    new InitiateAuthCommand({
      ClientId: userPool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
  const tokens = result.AuthenticationResult;
  if (!tokens?.AccessToken || !tokens.IdToken || !tokens.RefreshToken) {
    throw new Error(`sign-in returned no tokens (challenge ${String(result.ChallengeName)})`);
  }
  return {
    ...tokens,
    AccessToken: tokens.AccessToken,
    IdToken: tokens.IdToken,
    RefreshToken: tokens.RefreshToken,
  };
}

export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** A raw JSON 1.1 call, for requests the SDK would refuse to send. */
export async function rawCall(
  endpoint: string,
  target: string | undefined,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      ...(target ? { 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` } : {}),
      ...headers,
    },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

/** A SigV4-shaped Authorization header (the local pool checks the shape, not the signature). */
export const SIGV4_HEADER =
  'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
  'a'.repeat(64);
