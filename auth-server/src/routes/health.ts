import { ServiceUnavailableError, type Lifecycle } from '@authstack/shared';
import { Router } from 'express';
import type { PoolStatus } from '../domain/pool-status';
import type { StateStoreHealth, StateStoreState } from '../domain/state-store-health';

/** Where the rate limits count, given the state store's state. */
const RATE_LIMITS: Record<StateStoreState, 'shared' | 'per-process fallback' | 'per-process'> = {
  ok: 'shared',
  unavailable: 'per-process fallback',
  'not configured': 'per-process',
};

/**
 * `GET /healthz`: the process is alive. `GET /readyz`: the process takes traffic —
 * not while shutting down (503 from the moment SIGTERM arrives) and only while the
 * user pool answers (one DescribeUserPool, cached for a couple of seconds). It also
 * shows the shared state store (one `SELECT 1`, cached likewise) and so where the rate
 * limits count; a store that is down does not make it 503, since sign-in goes on with
 * per-process limits.
 */
export function healthRoutes({
  lifecycle,
  status,
  stateStore,
}: {
  lifecycle: Lifecycle;
  status: PoolStatus;
  stateStore: StateStoreHealth;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (lifecycle.shuttingDown) {
      throw new ServiceUnavailableError('shutting_down', 'The server is shutting down.');
    }
    const [reachable, store] = await Promise.all([status.check(), stateStore.check()]);
    if (lifecycle.shuttingDown) {
      throw new ServiceUnavailableError('shutting_down', 'The server is shutting down.');
    }
    if (!reachable) {
      throw new ServiceUnavailableError('upstream_unavailable', 'The user pool does not answer.');
    }
    res.status(200).json({ status: 'ready', stateStore: store, rateLimits: RATE_LIMITS[store] });
  });
  return router;
}
