import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { databaseUrlFromSecret } from '@authstack/shared/database-secret';

export interface StateDatabaseSecret {
  secretArn: string;
  /** A CA bundle to verify the server against (`sslmode=verify-full`); no TLS when absent. */
  caFile: string | undefined;
  timeoutMs: number;
}

/**
 * Reads the state store's credentials from Secrets Manager (once per cold start): the JSON
 * RDS keeps for a generated password, or a postgres:// URL.
 */
export async function readStateDatabaseUrl(secret: StateDatabaseSecret): Promise<string> {
  const client = new SecretsManagerClient({ maxAttempts: 2 });
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secret.secretArn }), {
      abortSignal: AbortSignal.timeout(secret.timeoutMs),
    });
    if (!output.SecretString) throw new Error('the state store secret has no string value');
    return databaseUrlFromSecret(output.SecretString, {
      name: 'state store',
      parameters: secret.caFile ? { sslmode: 'verify-full', sslrootcert: secret.caFile } : {},
    });
  } finally {
    client.destroy();
  }
}
