import { Router } from 'express';
import { ServiceUnavailableError, type Lifecycle } from '@authstack/shared';

/** `/healthz`: the process answers. `/readyz`: signing keys loaded and not shutting down. */
export function healthRouter(deps: { lifecycle: Lifecycle; keysReady: () => boolean }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    if (deps.lifecycle.shuttingDown) {
      throw new ServiceUnavailableError('shutting_down', 'The server is shutting down.');
    }
    if (!deps.keysReady()) {
      throw new ServiceUnavailableError(
        'keys_unavailable',
        'The token signing keys are not loaded.',
      );
    }
    res.json({ status: 'ready' });
  });
  return router;
}
