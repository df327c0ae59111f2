import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validate } from 'dockerfile-utils';
import { parse } from 'yaml';
import { verifyPasswordHash } from '@authstack/trigger/domain/password-hash';
import { DEMO_LEGACY_USERS } from '@authstack/trigger/local/legacy-users';
import { LOCAL_STATE_DB, localStateDatabaseUrl } from '@authstack/shared/state-store';
import { REPO_ROOT } from '../lib/paths';
import { RDS_CA_BUNDLE_IN_IMAGE } from '../lib/state-store';
import { COMPOSE_SEED_FILE, legacySchemaStatements } from '../../scripts/compose-seed';
import {
  MFA_MODES as LOCAL_MFA_MODES,
  USER_MIGRATION_FUNCTION,
} from '../../scripts/stack/bootstrap';
import {
  cliProblems,
  findComposeCli,
  interpolate,
  loadComposeFile,
  resolveComposeFile,
  SCHEMA_VALIDATOR,
  schemaProblems,
} from './support/compose';

const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');

const NODE_SERVICES = ['auth-server', 'resource-server', 'local-pool'] as const;

describe('Dockerfiles', () => {
  it.each([...NODE_SERVICES, 'trigger'])(
    '%s/Dockerfile passes dockerfile-utils lint',
    (workspace) => {
      const problems = validate(read(`${workspace}/Dockerfile`)).map(
        (problem) => `line ${problem.range.start.line + 1}: ${problem.message}`,
      );
      expect(problems).toEqual([]);
    },
  );

  it.each(NODE_SERVICES)(
    '%s/Dockerfile: multi-stage Node 22, production install of its workspace, non-root, exec-form CMD, HEALTHCHECK',
    (workspace) => {
      const dockerfile = read(`${workspace}/Dockerfile`);
      expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-bookworm-slim$/m);
      expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
      expect(dockerfile).toContain(`npm ci --omit=dev -w @authstack/${workspace}`);
      expect(dockerfile).toMatch(/^ENV NODE_ENV=production$/m);
      // The last USER is node, and it comes after the last RUN of the runtime stage.
      const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
      expect(runtime).toMatch(/^USER node$/m);
      expect(runtime.lastIndexOf('\nUSER node')).toBeGreaterThan(runtime.lastIndexOf('\nRUN '));
      expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*CMD \["node", "-e", /m);
      expect(runtime).toMatch(
        new RegExp(`^CMD \\["node", "${workspace}/dist/server\\.js"\\]$`, 'm'),
      );
    },
  );

  it.each(['auth-server', 'resource-server'])(
    '%s/Dockerfile ships the state store migrations and the RDS CA bundle that STATE_DATABASE_URL names in AWS',
    (workspace) => {
      const dockerfile = read(`${workspace}/Dockerfile`);
      const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
      expect(runtime).toMatch(/^COPY --from=build \/app\/shared\/migrations shared\/migrations$/m);
      // Readable by the node user (a remote ADD is root-only, mode 600).
      expect(runtime).toContain(
        `ADD https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem ${RDS_CA_BUNDLE_IN_IMAGE}\nRUN chmod 644 ${RDS_CA_BUNDLE_IN_IMAGE}\n`,
      );
    },
  );

  it('trigger/Dockerfile puts the Lambda bundle on the AWS Lambda Node 22 base image', () => {
    const dockerfile = read('trigger/Dockerfile');
    expect(dockerfile).toMatch(/^FROM public\.ecr\.aws\/lambda\/nodejs:22 AS runtime$/m);
    expect(dockerfile).toContain(
      'COPY --from=build /app/trigger/dist/lambda/ ${LAMBDA_TASK_ROOT}/',
    );
    expect(dockerfile).toMatch(/^CMD \["index\.handler"\]$/m);
  });

  it('.dockerignore keeps node_modules, builds and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '.local', '.git'])
      expect(ignored).toContain(pattern);
  });
});

describe('docker-compose.yml', () => {
  // A Compose CLI validates without a Docker engine; a fresh machine may have none, and then
  // the schema check alone stands, never a skipped test. The titles say which ran.
  const cli = findComposeCli();
  const validators = cli
    ? `${SCHEMA_VALIDATOR} and \`${cli.name} config -q\``
    : `${SCHEMA_VALIDATOR} (no docker compose CLI on this machine)`;

  it(`is valid for ${validators}`, () => {
    expect(schemaProblems(loadComposeFile('docker-compose.yml'))).toEqual([]);
    if (cli) expect(cliProblems(cli, 'docker-compose.yml')).toEqual([]);
  });

  it('finds no Compose CLI on a machine without one, rather than failing', () => {
    const emptyPath = mkdtempSync(path.join(tmpdir(), 'no-compose-'));
    try {
      expect(findComposeCli({ ...process.env, PATH: emptyPath })).toBeUndefined();
    } finally {
      rmSync(emptyPath, { recursive: true });
    }
  });

  describe(`${SCHEMA_VALIDATOR} refuses a broken compose document`, () => {
    type Mutable = Record<string, Record<string, Record<string, unknown>>>;
    const broken = (breakIt: (document: Mutable) => void): unknown => {
      const document = loadComposeFile('docker-compose.yml') as Mutable;
      breakIt(document);
      return document;
    };

    it.each([
      [
        'a misspelt top-level key',
        broken((document) => {
          document.servces = document.services ?? {};
        }),
        /^\/ must NOT have additional properties$/,
      ],
      [
        'an unknown service key',
        broken((document) => {
          (document.services?.['auth-server'] ?? {}).restart_policy = 'always';
        }),
        /^\/services\/auth-server must NOT have additional properties$/,
      ],
      [
        'ports as a mapping instead of a list',
        broken((document) => {
          (document.services?.['auth-server'] ?? {}).ports = { http: 3000 };
        }),
        /^\/services\/auth-server\/ports must be array$/,
      ],
      [
        'an unknown depends_on condition',
        broken((document) => {
          (document.services?.trigger ?? {}).depends_on = {
            'legacy-db': { condition: 'service_ready' },
          };
        }),
        /^\/services\/trigger\/depends_on\/legacy-db\/condition must be equal to one of the allowed values$/,
      ],
      [
        'a stop grace period that is not a duration',
        broken((document) => {
          (document.services?.['state-db'] ?? {}).stop_grace_period = 'thirty seconds';
        }),
        /^\/services\/state-db\/stop_grace_period must match format "duration"$/,
      ],
    ])('%s', (_case, document, problem) => {
      expect(schemaProblems(document)).toContainEqual(expect.stringMatching(problem));
    });
  });

  describe('interpolate (Compose variables, for machines without a Compose CLI)', () => {
    it.each([
      ['${MFA_MODE:-optional}', {}, 'optional'],
      ['${MFA_MODE:-optional}', { MFA_MODE: '' }, 'optional'],
      ['${MFA_MODE:-optional}', { MFA_MODE: 'required' }, 'required'],
      ['${MFA_MODE-optional}', { MFA_MODE: '' }, ''],
      ['${MFA_MODE-optional}', {}, 'optional'],
      ['a $MFA_MODE b ${MFA_MODE}', { MFA_MODE: 'off' }, 'a off b off'],
      ['exec "$$@"', {}, 'exec "$@"'],
      ['$UNSET-x', {}, '-x'],
    ])('%s with %j is %s', (text, variables: Record<string, string>, expected) => {
      expect(interpolate(text, variables)).toBe(expected);
    });

    it('refuses a required variable without a value', () => {
      expect(() => interpolate('${NEEDED:?set it}', {})).toThrow(/NEEDED.*set it/);
      expect(() => interpolate('${NEEDED?set it}', { NEEDED: '' })).not.toThrow();
    });
  });

  type Service = {
    init?: boolean;
    stop_grace_period?: string;
    ports?: string[];
    healthcheck?: { test: string[] };
    depends_on?: Record<string, { condition: string }>;
    build?: { dockerfile: string };
    image?: string;
    environment?: Record<string, string>;
    volumes?: string[];
  };
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    name?: string;
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
  };
  const services = compose.services;

  it('has no top-level name (compose 1.29 refuses it) and every part of the stack', () => {
    expect(compose).not.toHaveProperty('name');
    expect(Object.keys(services).sort()).toEqual(
      [
        'auth-server',
        'bootstrap',
        'legacy-db',
        'local-pool',
        'resource-server',
        'state-db',
        'trigger',
      ].sort(),
    );
    expect(services['legacy-db']?.image).toMatch(/^postgres:\d+/);
  });

  it('runs every long-lived service with an init process and a stop grace period', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, init: service.init }).toEqual({ name, init: true });
      if (name !== 'bootstrap')
        expect({ name, grace: service.stop_grace_period }).toEqual({
          name,
          grace: expect.stringMatching(/^\d+s$/),
        });
    }
  });

  it('publishes ports on 127.0.0.1 only, at the contract ports', () => {
    const published = Object.fromEntries(
      Object.entries(services)
        .filter(([, service]) => service.ports)
        .map(([name, service]) => [name, service.ports]),
    );
    expect(published).toEqual({
      'legacy-db': ['127.0.0.1:54329:5432'],
      'state-db': ['127.0.0.1:54330:5432'],
      trigger: ['127.0.0.1:9230:8080'],
      'local-pool': ['127.0.0.1:9229:9229'],
      'auth-server': ['127.0.0.1:3000:3000'],
      'resource-server': ['127.0.0.1:4000:4000'],
    });
  });

  it('starts each service only once what it depends on is healthy (or, for bootstrap, done)', () => {
    expect(services['trigger']?.depends_on).toEqual({
      'legacy-db': { condition: 'service_healthy' },
    });
    expect(services['local-pool']?.depends_on).toEqual({
      trigger: { condition: 'service_healthy' },
    });
    expect(services['bootstrap']?.depends_on).toEqual({
      'local-pool': { condition: 'service_healthy' },
    });
    for (const server of ['auth-server', 'resource-server'])
      expect(services[server]?.depends_on).toEqual({
        bootstrap: { condition: 'service_completed_successfully' },
        'local-pool': { condition: 'service_healthy' },
        'state-db': { condition: 'service_healthy' },
      });
    // local-pool, auth-server and resource-server get their health checks from their images.
    for (const name of ['legacy-db', 'state-db', 'trigger'])
      expect(services[name]?.healthcheck).toBeDefined();
    for (const name of NODE_SERVICES)
      expect(read(services[name]?.build?.dockerfile ?? 'missing')).toContain('HEALTHCHECK');
  });

  /**
   * The file as Compose resolves it: anchors merged and `${VAR:-default}` substituted from
   * `variables` alone (none of the caller's own compose variables leak in).
   */
  function resolvedCompose(variables: Record<string, string>): Record<string, Service> {
    const resolved = resolveComposeFile(cli, 'docker-compose.yml', variables);
    return (resolved as { services: Record<string, Service> }).services;
  }

  describe(`MFA_MODE (TOTP multi-factor sign-in), resolved by ${cli ? `\`${cli.name} config\`` : 'interpolate'}`, () => {
    const withMfa = (resolved: Record<string, Service>) =>
      Object.fromEntries(
        Object.entries(resolved)
          .filter(([, service]) => service.environment?.MFA_MODE !== undefined)
          .map(([name, service]) => [name, service.environment?.MFA_MODE]),
      );

    it('is optional by default, for the pool (bootstrap) and the auth-server alike', () => {
      expect(withMfa(resolvedCompose({}))).toEqual({
        bootstrap: 'optional',
        'auth-server': 'optional',
      });
    });

    it.each(LOCAL_MFA_MODES.filter((mode) => mode !== 'optional'))(
      'MFA_MODE=%s reaches both, as one value',
      (mode) => {
        expect(withMfa(resolvedCompose({ MFA_MODE: mode }))).toEqual({
          bootstrap: mode,
          'auth-server': mode,
        });
      },
    );
  });

  it('serves the one function the local pool invokes for UserMigration and PreSignUp alike', () => {
    expect(services['trigger']?.environment?.AWS_LAMBDA_FUNCTION_NAME).toBe(
      USER_MIGRATION_FUNCTION,
    );
    expect(services['local-pool']?.environment?.LOCAL_POOL_LAMBDA_ENDPOINT).toBe(
      'http://trigger:8080',
    );
  });

  describe('state-db (the shared state store)', () => {
    const stateDb = services['state-db'] as Service;
    const environment = stateDb.environment ?? {};

    it('is postgres:16 with its own database, role and named volume, apart from the legacy database', () => {
      expect(stateDb.image).toBe('postgres:16');
      expect(environment).toEqual({
        POSTGRES_DB: LOCAL_STATE_DB.database,
        POSTGRES_USER: LOCAL_STATE_DB.app.user,
        POSTGRES_PASSWORD: LOCAL_STATE_DB.app.password,
      });
      const legacy = services['legacy-db']?.environment ?? {};
      expect(environment.POSTGRES_DB).not.toBe(legacy.POSTGRES_DB);
      expect(environment.POSTGRES_USER).not.toBe(legacy.POSTGRES_USER);
      expect(stateDb.volumes).toEqual(['state-db-data:/var/lib/postgresql/data']);
      expect(compose.volumes).toHaveProperty('state-db-data');
    });

    it('is healthy once pg_isready reaches the real server over TCP as its role and database', () => {
      expect(stateDb.healthcheck?.test).toEqual([
        'CMD-SHELL',
        `pg_isready -h 127.0.0.1 -U ${environment.POSTGRES_USER} -d ${environment.POSTGRES_DB}`,
      ]);
    });

    it('is what both servers reach through STATE_DATABASE_URL', () => {
      for (const server of ['auth-server', 'resource-server'])
        expect({ server, url: services[server]?.environment?.STATE_DATABASE_URL }).toEqual({
          server,
          url: localStateDatabaseUrl(5432, 'state-db'),
        });
    });
  });
});

describe('compose/legacy-db seed', () => {
  const sql = readFileSync(COMPOSE_SEED_FILE, 'utf8');

  it("creates the trigger's own legacy table and read-only role", async () => {
    for (const statement of await legacySchemaStatements()) expect(sql).toContain(statement);
  });

  it('holds every demo legacy user with a hash that verifies against their password', async () => {
    const rows = [
      ...sql.matchAll(/^\s+\('([^']+)', '([^']+)', '([^']+)', (true|false), (true|false)\)/gm),
    ];
    expect(rows.map((row) => row[1])).toEqual(DEMO_LEGACY_USERS.map((user) => user.email));
    for (const user of DEMO_LEGACY_USERS) {
      const row = rows.find((candidate) => candidate[1] === user.email);
      const result = await verifyPasswordHash(user.password, row?.[2] ?? '');
      const expected = user.hash === 'md5-crypt' ? 'unsupported' : 'match';
      expect({ email: user.email, status: result.status }).toEqual({
        email: user.email,
        status: expected,
      });
      expect(row?.[3]).toBe(String(user.name));
    }
  });
});
