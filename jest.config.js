// One jest run over every workspace. Tests import the shared package from source,
// so `npm test` never depends on a stale build of it; the processes that tests spawn
// run the built output (`npm test` builds first through `pretest`).
const os = require('node:os');
const path = require('node:path');

// The AWS SDK warns once per process that its 2027 releases need Node 22 (the containers
// and the Lambda run 22); the servers log it as JSON, the test output need not repeat it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Every Postgres the tests start is a fresh cluster: each is a copy of one that initdb made
// once (see shared/src/local/cluster-template.ts), kept across runs in the temporary folder.
process.env.EMBEDDED_POSTGRES_CLUSTER_TEMPLATES ??= path.join(
  os.tmpdir(),
  'authstack-postgres-templates',
);

const workspaces = ['shared', 'local-pool', 'trigger', 'auth-server', 'resource-server', 'infra'];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  // One state store, one legacy database and one local pool for the run; test files make their
  // own databases and user pools on them (scripts/testing/shared-servers.js).
  globalSetup: '<rootDir>/scripts/testing/global-setup.js',
  globalTeardown: '<rootDir>/scripts/testing/global-teardown.js',
  // Two workers on two cores: most integration tests wait on the processes they start, so a
  // second worker nearly halves the run (measured: 6 min against 10 with one).
  maxWorkers: 2,
  projects: workspaces.map((name) => ({
    displayName: name,
    rootDir: path.join(__dirname, name),
    testEnvironment: 'node',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.json') }],
    },
    // Workspaces import each other from source in tests (e.g. a test harness of local-pool).
    moduleNameMapper: {
      '^@authstack/([^/]+)$': path.join(__dirname, '$1/src/index.ts'),
      '^@authstack/([^/]+)/(.+)$': path.join(__dirname, '$1/src/$2'),
    },
  })),
};
