import { Router } from 'express';
import { noStore } from '@authstack/shared';
import { identityOf, type RequireAuth } from '../middleware/require-auth';

/** The scope Cognito puts in access tokens from user-pool sign-in. */
export const USER_ADMIN_SCOPE = 'aws.cognito.signin.user.admin';
/** A resource-server scope that user sign-in never grants: shows the 403. */
export const REPORTS_SCOPE = 'authstack/reports.read';
export const ADMIN_GROUP = 'admin';

/** Routes under `/<stage>/api`: working examples of authentication and authorization. */
export function apiRouter(requireAuth: RequireAuth): Router {
  const router = Router();
  // Answers here are about a user (or look like it): never stored by browsers or proxies.
  router.use(noStore);

  router.get('/ping', (_req, res) => {
    res.json({ ok: true });
  });

  router.get('/users/me', requireAuth(), (_req, res) => {
    const { sub, email, name, groups, tokenUse } = identityOf(res);
    res.json({ sub, email, name, groups, tokenUse });
  });

  router.get('/admin/overview', requireAuth({ groups: [ADMIN_GROUP] }), (_req, res) => {
    const { sub, groups } = identityOf(res);
    res.json({ area: 'admin', sub, groups });
  });

  router.get('/session', requireAuth({ scopes: [USER_ADMIN_SCOPE] }), (_req, res) => {
    const { sub, username, clientId, scopes, expiresAt } = identityOf(res);
    res.json({ sub, username, clientId, scopes, expiresAt: new Date(expiresAt * 1000) });
  });

  router.get('/reports', requireAuth({ scopes: [REPORTS_SCOPE] }), (_req, res) => {
    res.json({ reports: [] });
  });

  return router;
}
