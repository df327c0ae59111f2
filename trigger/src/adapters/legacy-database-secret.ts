import { z } from 'zod';
import { POSTGRES_URL } from './postgres-pool';

/** The JSON shape RDS and Secrets Manager rotation use for database credentials. */
const rdsSecret = z.object({
  engine: z.string().optional(),
  host: z.string().min(1),
  port: z.coerce.number().int().positive().default(5432),
  username: z.string().min(1),
  password: z.string(),
  dbname: z.string().min(1).optional(),
});

/**
 * The legacy database URL held in a secret: either the URL itself, or the JSON
 * credentials RDS writes (`{host, port, username, password, dbname}`).
 */
export function legacyDatabaseUrlFromSecret(secretString: string): string {
  const text = secretString.trim();
  if (POSTGRES_URL.test(text)) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('the legacy database secret is neither a postgres:// URL nor JSON credentials');
  }
  const result = rdsSecret.safeParse(parsed);
  if (!result.success) {
    throw new Error('the legacy database secret lacks host, username or password');
  }
  const { host, port, username, password, dbname } = result.data;
  const user = `${encodeURIComponent(username)}:${encodeURIComponent(password)}`;
  return `postgres://${user}@${host}:${port}/${encodeURIComponent(dbname ?? 'postgres')}`;
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
