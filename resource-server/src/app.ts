import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import {
  errorHandler,
  notFoundHandler,
  refuseOptions,
  requestContext,
  useMetrics,
  type Lifecycle,
  type Logger,
} from '@authstack/shared';
import type { RevocationCheck } from './domain/revocation-check';
import type { TokenVerifier } from './domain/token-verifier';
import type { ResourceServerMetrics } from './metrics';
import { createRequireAuth, type IdentityVerifier } from './middleware/require-auth';
import { apiRouter } from './routes/api';
import { healthRouter } from './routes/health';

export interface AppDeps {
  verifier: IdentityVerifier & Pick<TokenVerifier, 'ready' | 'keysReport'>;
  /** The live revocations (`RevocationCheck.off()` without a state store). */
  revocations: RevocationCheck;
  logger: Logger;
  lifecycle: Lifecycle;
  /** Path prefix: routes live under `/<stage>/api`. */
  stage: string;
  /** Origins whose scripts may call the API cross-origin (CORS_ORIGINS); none when omitted. */
  corsOrigins?: string[];
  /**
   * `GET /metrics` and the counting behind it (METRICS_ENABLED); none when omitted. The
   * verifier counts its cache and JWKS fetches when built with `metrics.verifierObserver`.
   */
  metrics?: ResourceServerMetrics;
}

/** The resource-server's Express app. Never listens (see server.ts). */
export function buildApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(helmet());
  app.use(requestContext(deps.logger));
  if (deps.metrics) {
    deps.metrics.watch({ keys: () => deps.verifier.keysReport(), revocations: deps.revocations });
    useMetrics(app, deps.metrics.registry);
  }
  if (deps.corsOrigins !== undefined && deps.corsOrigins.length > 0) {
    // Before refuseOptions: a preflight from an allowed origin is answered 204 here.
    app.use(`/${deps.stage}/api`, cors({ origin: deps.corsOrigins, maxAge: 600 }));
  }
  app.use(refuseOptions);
  // The API first: it carries the traffic, and every router a request passes costs it time.
  const requireAuth = createRequireAuth(
    deps.verifier,
    deps.revocations,
    deps.metrics?.tokenRejected,
  );
  app.use(`/${deps.stage}/api`, apiRouter(requireAuth));
  app.use(
    healthRouter({
      lifecycle: deps.lifecycle,
      keysReady: () => deps.verifier.ready,
      keys: () => deps.verifier.keysReport(),
      revocations: deps.revocations,
    }),
  );
  app.use(notFoundHandler);
  app.use(errorHandler());
  return app;
}
