import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@authstack/shared';
import { localStateDatabaseUrl } from '@authstack/shared/state-store';
import { localLegacyDatabaseUrl } from '@authstack/trigger/local/legacy-db-settings';
import { bootstrapLocalPool, USER_MIGRATION_FUNCTION } from './bootstrap';
import { REPO_ROOT, type StackConfig } from './config';
import { describeExit, type LineSink, type ServiceSpec } from './service';
import { DEFAULT_RESTART_POLICY, Supervisor, type GiveUp, type RestartPolicy } from './supervisor';
import type { PortClaim } from './ports';

/** Credentials the AWS SDK insists on; the local pool ignores them. */
const LOCAL_AWS_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

/** Variables of the caller's environment a child may see; everything else is set explicitly. */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'] as const;

function baseEnv(config: StackConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    NODE_ENV: 'development',
    LOG_LEVEL: config.logLevel,
    // The stack says it once for all (scripts/start.ts), not once per service.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export interface StackEndpoints {
  authServer: string;
  resourceServer: string;
  localPool: string;
  trigger: string;
  legacyDb: string;
  stateDb: string;
}

export function stackEndpoints(config: StackConfig): StackEndpoints {
  const at = (port: number): string => `http://${config.host}:${port}`;
  return {
    authServer: at(config.ports.authServer),
    resourceServer: at(config.ports.resourceServer),
    localPool: at(config.ports.localPool),
    trigger: at(config.ports.trigger),
    legacyDb: `${config.host}:${config.ports.legacyDb}`,
    stateDb: `${config.host}:${config.ports.stateDb}`,
  };
}

/** The ports the stack will listen on, in start order, for a check before anything starts. */
export function portClaims(config: StackConfig): PortClaim[] {
  const { host, ports } = config;
  return [
    { owner: 'legacy Postgres', variable: 'LEGACY_DB_PORT', host, port: ports.legacyDb },
    { owner: 'state store Postgres', variable: 'STATE_DB_PORT', host, port: ports.stateDb },
    { owner: 'trigger invoke server', variable: 'TRIGGER_PORT', host, port: ports.trigger },
    { owner: 'local user pool', variable: 'LOCAL_POOL_PORT', host, port: ports.localPool },
    { owner: 'auth-server', variable: 'AUTH_SERVER_PORT', host, port: ports.authServer },
    {
      owner: 'resource-server',
      variable: 'RESOURCE_SERVER_PORT',
      host,
      port: ports.resourceServer,
    },
  ];
}

export interface StackReady {
  endpoints: StackEndpoints;
  userPoolId: string;
  clientId: string;
}

/** Thrown by `start()` when `stop()` was called while the stack was still starting. */
export class StackStoppedError extends Error {
  constructor() {
    super('the stack was stopped while starting');
    this.name = 'StackStoppedError';
  }
}

/** A Postgres runner stops its server with a fast shutdown, escalated after 10 s. */
const POSTGRES_STOP_TIMEOUT_MS = 15_000;

/**
 * The whole local stack, started in dependency order — legacy Postgres, the state
 * store's Postgres, the trigger's invoke server, the local user pool, the pool/client/group bootstrap,
 * auth-server, resource-server — and stopped in reverse order, Postgres last.
 * Every id is passed from one step to the next; nothing is copied by hand.
 * Each service is supervised once ready: restarted with backoff when it dies.
 */
export class LocalStack {
  readonly endpoints: StackEndpoints;
  #services: Supervisor[] = [];
  #stopping: Promise<void> | undefined;
  #onGiveUp: ((giveUp: GiveUp) => void) | undefined;
  /** Resolves when a service could not be kept running: it failed to restart too often in a row. */
  readonly gaveUp: Promise<GiveUp>;

  constructor(
    readonly config: StackConfig,
    private readonly sink: LineSink,
    private readonly logger: Logger,
    private readonly restartPolicy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {
    this.endpoints = stackEndpoints(config);
    this.gaveUp = new Promise((resolve) => {
      this.#onGiveUp = resolve;
    });
  }

  async start(): Promise<StackReady> {
    const { config, endpoints } = this;
    const poolDir = path.join(config.stateDir, 'pool');
    const legacyDbDir = path.join(config.stateDir, 'legacy-db');
    const stateDbDir = path.join(config.stateDir, 'state-db');
    // The legacy database creates its own folder (Postgres runs as its own user there).
    mkdirSync(poolDir, { recursive: true });
    const base = baseEnv(config);
    const built = (workspace: string, file: string): string =>
      path.join(REPO_ROOT, workspace, 'dist', file);

    await this.#run({
      name: 'legacy-db',
      script: built('trigger', 'local/legacy-db.js'),
      env: { ...base, LEGACY_DB_PORT: String(config.ports.legacyDb), LEGACY_DB_DIR: legacyDbDir },
      readiness: { ipc: 'ready' },
      stopTimeoutMs: POSTGRES_STOP_TIMEOUT_MS,
    });

    await this.#run({
      name: 'state-db',
      script: built('shared', 'local/state-db.js'),
      env: { ...base, STATE_DB_PORT: String(config.ports.stateDb), STATE_DB_DIR: stateDbDir },
      readiness: { ipc: 'ready' },
      stopTimeoutMs: POSTGRES_STOP_TIMEOUT_MS,
    });

    await this.#run({
      name: 'trigger',
      script: built('trigger', 'invoke-server.js'),
      env: {
        ...base,
        TRIGGER_HOST: config.host,
        TRIGGER_PORT: String(config.ports.trigger),
        TRIGGER_FUNCTION_NAME: USER_MIGRATION_FUNCTION,
        LEGACY_DATABASE_URL: localLegacyDatabaseUrl(config.ports.legacyDb),
        AWS_REGION: config.region,
      },
      readiness: { url: `${endpoints.trigger}/health` },
    });

    await this.#run({
      name: 'local-pool',
      script: built('local-pool', 'server.js'),
      env: {
        ...base,
        ...LOCAL_AWS_CREDENTIALS,
        LOCAL_POOL_HOST: config.host,
        LOCAL_POOL_PORT: String(config.ports.localPool),
        LOCAL_POOL_DATA_DIR: poolDir,
        LOCAL_POOL_ISSUER_BASE: endpoints.localPool,
        LOCAL_POOL_LAMBDA_ENDPOINT: endpoints.trigger,
        AWS_REGION: config.region,
      },
      readiness: { url: `${endpoints.localPool}/health` },
    });

    const { userPoolId, clientId } = await bootstrapLocalPool({
      endpoint: endpoints.localPool,
      region: config.region,
      mfaMode: config.mfaMode,
    });
    this.logger.info({ userPoolId, clientId }, 'user pool, app client and groups in place');
    this.#throwIfStopping();

    // The resource-server derives its issuer and JWKS URL from COGNITO_ENDPOINT and the pool id.
    const pool = {
      HOST: config.host,
      STAGE: config.stage,
      AWS_REGION: config.region,
      COGNITO_ENDPOINT: endpoints.localPool,
      USER_POOL_ID: userPoolId,
      USER_POOL_CLIENT_ID: clientId,
      STATE_DATABASE_URL: localStateDatabaseUrl(config.ports.stateDb, config.host),
    };
    await this.#run({
      name: 'auth-server',
      script: built('auth-server', 'server.js'),
      env: {
        ...base,
        ...LOCAL_AWS_CREDENTIALS,
        ...pool,
        PORT: String(config.ports.authServer),
        SIGNUP_CONFIRMATION: config.signupConfirmation,
        MFA_MODE: config.mfaMode,
        // The account pages over plain http: a browser keeps no Secure cookie from http://.
        ACCOUNT_COOKIE_SECURE: 'false',
        ACCOUNT_RESOURCE_API_URL: `${endpoints.resourceServer}/${config.stage}/api`,
      },
      readiness: { url: `${endpoints.authServer}/readyz` },
    });

    await this.#run({
      name: 'resource-server',
      script: built('resource-server', 'server.js'),
      env: {
        ...base,
        ...pool,
        PORT: String(config.ports.resourceServer),
        ALLOW_INSECURE_JWKS: 'true',
      },
      readiness: { url: `${endpoints.resourceServer}/readyz` },
    });

    return { endpoints, userPoolId, clientId };
  }

  /** Stops every started service in reverse start order; safe to call at any time, and twice. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const service of this.#services) service.stopRestarting();
      for (const service of [...this.#services].reverse()) {
        if (!service.running) continue;
        this.logger.info({ service: service.name }, `stopping ${service.name}`);
        const exit = await service.stop();
        if (exit && exit.code !== 0 && exit.code !== null)
          this.logger.warn(
            { service: service.name },
            `${service.name} exited with ${describeExit(exit)}`,
          );
      }
    })();
    return this.#stopping;
  }

  /** Last resort when the orchestrator itself is exiting: SIGKILL whatever still runs. */
  kill(): void {
    for (const service of this.#services) service.kill();
  }

  /** Starts one service and waits until it is ready; from then on it is restarted when it dies. */
  async #run(spec: ServiceSpec): Promise<void> {
    this.#throwIfStopping();
    const service = new Supervisor(
      spec,
      this.sink,
      this.logger,
      this.config.startTimeoutMs,
      this.restartPolicy,
    );
    this.#services.push(service);
    const started = Date.now();
    try {
      await service.start();
    } catch (error) {
      this.#throwIfStopping();
      throw error;
    }
    void service.gaveUp.then((giveUp) => {
      if (!this.#stopping) this.#onGiveUp?.(giveUp);
    });
    this.logger.info({ service: spec.name, ms: Date.now() - started }, `${spec.name} ready`);
    this.#throwIfStopping();
  }

  #throwIfStopping(): void {
    if (this.#stopping) throw new StackStoppedError();
  }
}
