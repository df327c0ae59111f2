import { databaseUrlFromSecret } from '@authstack/shared/database-secret';

/**
 * The legacy database URL held in a secret: either the URL itself, or the JSON
 * credentials RDS writes (`{host, port, username, password, dbname}`). The parsing is
 * shared with the state store's secret (`@authstack/shared/database-secret`).
 */
export function legacyDatabaseUrlFromSecret(secretString: string): string {
  return databaseUrlFromSecret(secretString, { name: 'legacy database' });
}

/**
 * Reads the legacy database URL from Secrets Manager (once per cold start). The SDK
 * is loaded only here: the Lambda runtime provides it, so the bundle leaves it out.
 */
export async function readLegacyDatabaseUrl(secretArn: string, timeoutMs: number): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } =
    await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ maxAttempts: 2 });
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretArn }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    if (!output.SecretString) throw new Error('the legacy database secret has no string value');
    return legacyDatabaseUrlFromSecret(output.SecretString);
  } finally {
    client.destroy();
  }
}
