import { ServiceUnavailableError, type Lifecycle } from '@authstack/shared';
import { Router } from 'express';
import type { PoolStatus } from '../domain/pool-status';

/**
 * `GET /healthz`: the process is alive. `GET /readyz`: the process takes traffic —
 * not while shutting down (503 from the moment SIGTERM arrives) and only while the
 * user pool answers (one DescribeUserPool, cached for a couple of seconds).
 */
export function healthRoutes({
  lifecycle,
  status,
}: {
  lifecycle: Lifecycle;
  status: PoolStatus;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const reachable = !lifecycle.shuttingDown && (await status.check());
    if (lifecycle.shuttingDown) {
      throw new ServiceUnavailableError('shutting_down', 'The server is shutting down.');
    }
    if (!reachable) {
      throw new ServiceUnavailableError('upstream_unavailable', 'The user pool does not answer.');
    }
    res.status(200).json({ status: 'ready' });
  });
  return router;
}
