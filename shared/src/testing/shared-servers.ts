import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { withClient } from '../local/embedded-postgres';

/**
 * A test run's global setup (scripts/testing/shared-servers.js) starts one state-store server,
 * one legacy-database server and one local pool for the whole run, and names them in these
 * variables, which the test processes inherit. Each test file then makes a database of its own
 * on the servers (`freshStateDatabase`, `freshLegacyDatabase`), and user pools of its own on the
 * local pool (`sharedLocalPool`), as one AWS account holds many: a Postgres costs some 3–4
 * CPU-seconds to start, migrate and stop, a database a few milliseconds. Tests that crash, halt
 * or restart a service, configure it, or read its output or outbox, still start their own.
 */
export const SHARED_SERVER_VARIABLES = {
  /** The state store's port. */
  state: 'AUTHSTACK_TEST_STATE_DB_PORT',
  /** The legacy database's port. */
  legacy: 'AUTHSTACK_TEST_LEGACY_DB_PORT',
  /** The local pool, as JSON: `{ "endpoint": …, "issuerBase": …, "dataDir": … }`. */
  localPool: 'AUTHSTACK_TEST_LOCAL_POOL',
} as const;

/** The port of the run's shared Postgres server of `kind`, or undefined outside such a run. */
export function sharedServerPort(kind: 'state' | 'legacy'): number | undefined {
  const value = process.env[SHARED_SERVER_VARIABLES[kind]];
  return value ? Number(value) : undefined;
}

/**
 * Runs `work` as outside a run with shared servers: without the variable naming the shared
 * service of `kind`, which is put back afterwards. For tests of the fallback.
 */
export async function withoutSharedServer<T>(
  kind: keyof typeof SHARED_SERVER_VARIABLES,
  work: () => Promise<T>,
): Promise<T> {
  const variable = SHARED_SERVER_VARIABLES[kind];
  const value = process.env[variable];
  Reflect.deleteProperty(process.env, variable);
  try {
    return await work();
  } finally {
    if (value !== undefined) process.env[variable] = value;
  }
}

/**
 * Creates a new, uniquely named database (`<prefix>_<random>`) on the local server at `port`,
 * connecting as its superuser `admin`, as a copy of `template` (default: Postgres's empty
 * template1); returns its name.
 */
export async function createDatabase(options: {
  port: number;
  admin: { user: string; password: string };
  prefix: string;
  owner?: string;
  template?: string;
}): Promise<string> {
  const name = `${options.prefix}_${randomBytes(6).toString('hex')}`;
  const connect = async (database: string): Promise<Client> => {
    const client = new Client({
      host: '127.0.0.1',
      port: options.port,
      database,
      ...options.admin,
    });
    await client.connect();
    return client;
  };
  await withClient(connect, 'postgres', (client) =>
    client.query(
      `CREATE DATABASE ${escapeIdentifier(name)}` +
        (options.owner ? ` OWNER ${escapeIdentifier(options.owner)}` : '') +
        (options.template ? ` TEMPLATE ${escapeIdentifier(options.template)}` : ''),
    ),
  );
  return name;
}

/** Runs `work` with a connection of its own to the database at `url`, closed afterwards. */
export async function withDatabase<T>(
  url: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The rows of one query on the database at `url`, through a connection of its own. */
export function queryRows<T>(url: string, sql: string): Promise<T[]> {
  return withDatabase(url, async (client) => (await client.query(sql)).rows as T[]);
}
