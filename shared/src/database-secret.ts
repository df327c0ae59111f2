import { z } from 'zod';

/** What a PostgreSQL connection URL starts with. */
const POSTGRES_URL = /^postgres(ql)?:\/\//;

/** The JSON shape RDS and Secrets Manager rotation use for database credentials. */
const rdsCredentials = z.object({
  engine: z.string().optional(),
  host: z.string().min(1),
  port: z.coerce.number().int().positive().default(5432),
  username: z.string().min(1),
  password: z.string(),
  dbname: z.string().min(1).optional(),
});

export interface DatabaseSecretOptions {
  /** Names the database in errors: `the <name> secret lacks …` (never quoting the secret). */
  name: string;
  /**
   * Query parameters the URL gets unless it already has them, e.g.
   * `{ sslmode: 'verify-full', sslrootcert: '/path/ca.pem' }` for TLS verified against a CA file.
   */
  parameters?: Record<string, string>;
}

/**
 * The PostgreSQL URL held in a Secrets Manager secret: either the URL itself, or the JSON
 * credentials RDS writes (`{host, port, username, password, dbname}`; database `postgres`
 * when it names none). Errors say what is wrong without quoting any of the secret.
 */
export function databaseUrlFromSecret(
  secretString: string,
  { name, parameters = {} }: DatabaseSecretOptions,
): string {
  const text = secretString.trim();
  const url = POSTGRES_URL.test(text) ? text : urlFromCredentials(text, name);
  const entries = Object.entries(parameters);
  if (entries.length === 0) return url;
  const parsed = new URL(url);
  for (const [key, value] of entries)
    if (!parsed.searchParams.has(key)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

function urlFromCredentials(text: string, name: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`the ${name} secret is neither a postgres:// URL nor JSON credentials`);
  }
  const result = rdsCredentials.safeParse(parsed);
  if (!result.success) throw new Error(`the ${name} secret lacks host, username or password`);
  const { host, port, username, password, dbname } = result.data;
  const user = `${encodeURIComponent(username)}:${encodeURIComponent(password)}`;
  return `postgres://${user}@${host}:${port}/${encodeURIComponent(dbname ?? 'postgres')}`;
}
