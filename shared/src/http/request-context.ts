import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import pinoHttp from 'pino-http';
import type { Logger } from 'pino';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of this request: the caller's `X-Request-Id` when it is sane, else a new UUID. */
export function requestIdOf(req: Request): string {
  return (req as Request & { id?: unknown }).id as string;
}

function withSub(res: unknown, line: Record<string, unknown>): Record<string, unknown> {
  const sub: unknown = (res as Response).locals?.sub;
  return typeof sub === 'string' ? { ...line, sub } : line;
}

/**
 * Gives every request an id (kept from a sane incoming `X-Request-Id`, else
 * generated), echoes it as `X-Request-Id`, attaches `req.log` (a child logger
 * carrying the id) and writes one JSON line per request when it finishes.
 * Lines never hold headers, query strings or bodies, so no secret can reach them;
 * a handler may add `res.locals.sub` to have the user's `sub` logged.
 */
export function requestContext(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    quietReqLogger: true,
    genReqId: (req, res) => {
      const incoming = req.headers['x-request-id'];
      const id =
        typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    serializers: {
      req: (req: { method: string; url: string; remoteAddress?: string }) => ({
        method: req.method,
        path: req.url.split('?')[0],
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: (err: Error) => ({ type: err.name, message: err.message }),
    },
    // `sub` goes into the finished line's object rather than through `customProps`, which
    // makes pino-http build a child logger at the start and the end of every request.
    customSuccessObject: (_req, res, line: Record<string, unknown>) => withSub(res, line),
    customErrorObject: (_req, res, _error, line: Record<string, unknown>) => withSub(res, line),
    customLogLevel: (_req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
  });
}

/** Passes requests straight through; a placeholder where a middleware is optional. */
export const passThrough: RequestHandler = (_req: Request, _res: Response, next: NextFunction) =>
  next();
