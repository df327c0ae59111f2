import express, { type Express } from 'express';
import { requestContext } from '@authstack/shared';
import type { PoolContext } from './domain/context';
import { cognitoBodyErrors, cognitoRouter } from './routes/cognito';
import { importUploadRouter } from './routes/import-upload';
import { localRouter } from './routes/local';
import { wellKnownRouter } from './routes/well-known';

export interface AppDeps {
  context: PoolContext;
  isReady?: () => boolean;
}

/** The local pool's HTTP app: Cognito's JSON 1.1 API, JWKS/discovery and the local-only endpoints. */
export function buildApp({ context, isReady = () => true }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(context.logger));
  app.use(localRouter(context, isReady));
  app.use(wellKnownRouter(context));
  app.use(importUploadRouter(context));
  app.use(cognitoRouter(context));
  app.use(cognitoBodyErrors);
  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).json({ message: 'Not found.' });
  });
  return app;
}
