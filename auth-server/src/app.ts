import {
  errorHandler,
  jsonBody,
  notFoundHandler,
  noStore,
  refuseOptions,
  requestContext,
  useMetrics,
  type Lifecycle,
  type Logger,
} from '@authstack/shared';
import type { RevocationStore } from '@authstack/shared/state-store';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Pool } from 'pg';
import helmet from 'helmet';
import { UserPoolError } from './adapters/cognito-errors';
import { Accounts } from './domain/accounts';
import { Administration } from './domain/administration';
import { MultiFactor, type MfaSettings } from './domain/multi-factor';
import type { PoolStatus } from './domain/pool-status';
import { Revocations } from './domain/revocations';
import { StateStoreHealth } from './domain/state-store-health';
import type { UserPool } from './domain/user-pool';
import { ApiRouter } from './http/api-router';
import { authenticateWith } from './http/authenticate';
import { openApiDocument } from './http/openapi';
import { createRateLimits, type RateLimitSettings } from './http/rate-limits';
import type { AuthServerMetrics } from './metrics';
import { accountPages, type AccountPagesSettings } from './pages/account-pages';
import { registerAdminRoutes } from './routes/admin';
import { healthRoutes } from './routes/health';
import { registerMfaRoutes } from './routes/mfa';
import { registerUserRoutes } from './routes/user';

export interface AppSettings {
  /** The API lives under `/<stage>/api`. */
  stage: string;
  signUpConfirmation: 'auto' | 'code';
  mfa: MfaSettings;
  adminGroup: string;
  /** Proxy hops that append to X-Forwarded-For; 0 uses the socket's address. */
  trustProxy: number;
  rateLimits: RateLimitSettings;
  /** Origins whose scripts may call the API cross-origin (CORS_ORIGINS); none when omitted. */
  corsOrigins?: string[];
  /** The account pages under `/<stage>/account`; secure cookies and no resource button when omitted. */
  accountPages?: AccountPagesSettings;
}

/** The shared state store (PostgreSQL): what every auth-server instance must agree on. */
export interface StateStoreDeps {
  /** Connections to the store, e.g. for the rate limits' counters. */
  db: Pool;
  revocations: RevocationStore;
}

export interface AppDeps {
  pool: UserPool;
  /** Absent only where no store is configured (STATE_DATABASE_URL unset). */
  stateStore?: StateStoreDeps;
  status: PoolStatus;
  logger: Logger;
  lifecycle: Lifecycle;
  settings: AppSettings;
  /**
   * `GET /metrics` and the counting behind it (METRICS_ENABLED); none when omitted. Calls to
   * the pool are counted when its SDK client was made with this as `observer`.
   */
  metrics?: AuthServerMetrics;
}

/** Logs which exception of the pool a request failed with (the client never sees it). */
const logUpstreamError: ErrorRequestHandler = (error, req, _res, next) => {
  if (error instanceof UserPoolError && error.status < 500) {
    req.log.info(
      { upstream: error.upstream, operation: error.operation, errorCode: error.code },
      'user pool refused the request',
    );
  }
  next(error);
};

/** The auth-server's Express app, built from its dependencies; it never listens. */
export function buildApp({
  pool,
  stateStore,
  status,
  logger,
  lifecycle,
  settings,
  metrics,
}: AppDeps): Express {
  const revocations = new Revocations(stateStore?.revocations);
  const accounts = new Accounts({
    pool,
    status,
    revocations,
    confirmation: settings.signUpConfirmation,
    adminGroup: settings.adminGroup,
    mfaIssuer: settings.mfa.issuer,
    onSignIn: metrics?.signInEnded,
  });
  const multiFactor = new MultiFactor({ pool, status, settings: settings.mfa });
  const stateStoreHealth = new StateStoreHealth(stateStore?.db, logger);
  const rateLimits = createRateLimits(settings.rateLimits, {
    db: stateStore?.db,
    health: stateStoreHealth,
  });
  const limits = metrics ? metrics.countingSignInRefusals(rateLimits) : rateLimits;
  const api = new ApiRouter(authenticateWith(accounts));
  registerUserRoutes(api, { accounts, limits });
  registerMfaRoutes(api, { accounts, multiFactor, limits });
  registerAdminRoutes(api, {
    administration: new Administration({ pool, revocations }),
    multiFactor,
  });
  const basePath = `/${settings.stage}/api`;
  const openApi = openApiDocument(api.routes, basePath);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', settings.trustProxy);
  app.use(requestContext(logger));
  app.use(helmet());
  if (metrics) useMetrics(app, metrics.registry);
  if (settings.corsOrigins !== undefined && settings.corsOrigins.length > 0) {
    // Before the health routes, which refuse every OPTIONS: an allowed preflight is answered here.
    app.use(basePath, cors({ origin: settings.corsOrigins, maxAge: 600 }));
  }
  // A CORS preflight of an allowed origin is answered before this; any other OPTIONS is a 404.
  app.use(refuseOptions);
  app.use(healthRoutes({ lifecycle, status, stateStore: stateStoreHealth }));
  app.use(
    `/${settings.stage}/account`,
    accountPages({
      base: `/${settings.stage}/account`,
      accounts,
      multiFactor,
      limits,
      signUpConfirmation: settings.signUpConfirmation,
      mfa: settings.mfa,
      settings: settings.accountPages ?? { secureCookies: true },
    }),
  );
  app.use(basePath, noStore, ...jsonBody('16kb'));
  app.get(`${basePath}/openapi.json`, (_req, res) => {
    res.status(200).json(openApi);
  });
  app.use(basePath, api.router);
  app.use(notFoundHandler);
  app.use(limits.countFailedSignIn);
  app.use(logUpstreamError);
  app.use(errorHandler());
  return app;
}
