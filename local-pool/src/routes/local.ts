import { Router } from 'express';
import type { PoolContext } from '../domain/context';

/**
 * Local-only endpoints that real Cognito does not have: readiness, and the outbox
 * holding the codes and invitations Cognito would have emailed.
 */
export function localRouter(context: PoolContext, isReady: () => boolean): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    if (isReady()) res.json({ status: 'ok' });
    else res.status(503).json({ status: 'shutting down' });
  });
  router.get('/_local/messages', (req, res) => {
    const to = req.query.to;
    if (typeof to !== 'string' || to.trim() === '') {
      res.status(400).json({ message: 'Query parameter "to" (an email address) is required.' });
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(context.store.listMessages(to.trim()));
  });
  return router;
}
