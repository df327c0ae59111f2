import { z } from 'zod';

/** Thrown when the environment does not satisfy a config schema; the message is one line. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Parses environment variables with a zod object schema whose keys are the
 * variable names. Empty strings count as unset, so `FOO=` falls back to the default.
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = issue?.path.join('.') || 'environment';
  throw new ConfigError(`Invalid configuration: ${variable}: ${issue?.message ?? 'invalid value'}`);
}

/**
 * `parseConfig` for a process entry point: a bad or missing value ends the
 * process with one line naming the variable, and exit code 1.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  try {
    return parseConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * The one rule for a stage name, the API path prefix `/<stage>/api`, shared by every loader
 * that reads it: the auth-server, the resource-server, `npm start` and the CDK app.
 * 1 to 32 letters, digits, `_` or `-`: characters a URL path segment carries unescaped (and
 * never the segments `.` or `..`), that Express matches literally, and that the load
 * balancer's listener rules (path patterns of at most 128 characters, the longest being
 * `/<stage>/api/admin/users/*`) accept as they are.
 */
export const stageName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, '1 to 32 letters, digits, "_" or "-"');

/** How long a server waits for a whole request by default (`REQUEST_TIMEOUT_MS`). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** Reusable zod pieces for environment variables. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  host: (fallback: string) => z.string().min(1).default(fallback),
  url: () => z.url({ protocol: /^https?$/ }),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1' || value === 'yes'),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  nonNegativeInt: (fallback: number) => z.coerce.number().int().min(0).default(fallback),
  stage: (fallback = 'v1') => stageName.default(fallback),
  /**
   * `REQUEST_TIMEOUT_MS` of a server: how long a client may take to send a whole request,
   * headers included, before it is answered 408 `request_timeout` (see `serve`).
   */
  requestTimeoutMs: () =>
    z.coerce.number().int().min(100).max(300_000).default(DEFAULT_REQUEST_TIMEOUT_MS),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  list: () =>
    z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item.length > 0),
      ),
  /** Comma-separated web origins (scheme, host, port: `https://app.example.com`), as browsers send them. */
  origins: () =>
    env
      .list()
      .pipe(
        z.array(
          z
            .url({ protocol: /^https?$/ })
            .refine(
              (value) => new URL(value).origin === value,
              'origins such as https://app.example.com',
            ),
        ),
      ),
};
