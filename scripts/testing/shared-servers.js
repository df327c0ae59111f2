// Jest's global setup and teardown: one state-store server, one legacy-database server and one
// local pool for the whole run, each test file making databases and user pools of its own on
// them (see shared/src/testing/shared-servers.ts). They run the built output, as every process
// the tests start does (`npm test` builds first).
const path = require('node:path');

/** `names` from a workspace's built module; says to build when it is missing or older. */
const built = (workspace, module, names) => {
  const file = path.join(__dirname, '..', '..', workspace, 'dist', module);
  let loaded;
  try {
    loaded = require(file);
  } catch (error) {
    throw new Error(`${file} could not be loaded: run npm run build first (${error.message})`);
  }
  const missing = names.filter((name) => loaded[name] === undefined);
  if (missing.length > 0) {
    throw new Error(
      `${file} has no ${missing.join(', ')}: it is older than its source; run npm run build`,
    );
  }
  return loaded;
};

/** What setup started, for teardown (jest runs both in its main process). */
const started = (globalThis.authstackSharedServers ??= []);

async function setup() {
  const { startStateDatabase, SHARED_SERVER_VARIABLES } = built('shared', 'testing', [
    'startStateDatabase',
    'SHARED_SERVER_VARIABLES',
  ]);
  const { startLegacyDatabase } = built('trigger', 'testing', ['startLegacyDatabase']);
  const { startLocalPool, sharedLocalPoolVariable } = built('local-pool', 'testing', [
    'startLocalPool',
    'sharedLocalPoolVariable',
  ]);
  const servers = await Promise.allSettled([
    startStateDatabase({ migrate: true }),
    startLegacyDatabase(),
    startLocalPool(),
  ]);
  for (const server of servers) if (server.status === 'fulfilled') started.push(server.value);
  try {
    const failed = servers.find((server) => server.status === 'rejected');
    if (failed) throw failed.reason;
    const [state, legacy, localPool] = started;
    // Jest starts its workers after the global setup: they inherit these.
    process.env[SHARED_SERVER_VARIABLES.state] = String(state.port);
    process.env[SHARED_SERVER_VARIABLES.legacy] = String(legacy.port);
    process.env[SHARED_SERVER_VARIABLES.localPool] = sharedLocalPoolVariable(localPool);
  } catch (error) {
    // Jest runs no teardown after a failed setup: stop what did start.
    await teardown();
    throw error;
  }
}

async function teardown() {
  await Promise.all(started.splice(0).map((server) => server.stop()));
}

module.exports = { setup, teardown };
