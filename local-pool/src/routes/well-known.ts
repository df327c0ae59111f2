import { type Request, type Response, Router } from 'express';
import { issuerOf, type PoolContext } from '../domain/context';

/** JWKS and OpenID discovery document per pool, at the paths Cognito uses. */
export function wellKnownRouter(context: PoolContext): Router {
  const router = Router();
  const poolOr404 = (req: Request, res: Response): string | undefined => {
    const poolId = String(req.params.poolId);
    if (context.store.getPool(poolId)) return poolId;
    res.status(404).json({ message: `User pool ${poolId} does not exist.` });
    return undefined;
  };
  router.get('/:poolId/.well-known/jwks.json', (req, res) => {
    if (!poolOr404(req, res)) return;
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(context.keys.jwks());
  });
  router.get('/:poolId/.well-known/openid-configuration', (req, res) => {
    const poolId = poolOr404(req, res);
    if (!poolId) return;
    const issuer = issuerOf(context, poolId);
    res.json({
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
    });
  });
  return router;
}
