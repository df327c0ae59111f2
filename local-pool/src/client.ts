import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

/**
 * An AWS SDK v3 Cognito client for the local pool: dummy static credentials (the
 * local pool accepts any SigV4 signature) and few attempts, so a down pool fails fast.
 */
export function createLocalCognitoClient(
  endpoint: string,
  region = 'us-east-1',
): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
}
