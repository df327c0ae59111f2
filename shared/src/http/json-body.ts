import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { UnsupportedMediaTypeError } from '../errors';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Parses JSON bodies of at most `limit`; a request that carries a body of any
 * other content type gets 415. Malformed JSON and oversized bodies are left to
 * the error handler (400 `invalid_json`, 413 `payload_too_large`).
 */
export function jsonBody(limit = '16kb'): RequestHandler[] {
  const requireJson: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
    if (
      METHODS_WITH_BODY.has(req.method) &&
      hasBody(req) &&
      !req.is(['application/json', '+json'])
    ) {
      throw new UnsupportedMediaTypeError();
    }
    next();
  };
  return [requireJson, express.json({ limit, strict: false, type: ['application/json', '+json'] })];
}
