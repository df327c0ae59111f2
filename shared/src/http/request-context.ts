import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Level, Logger } from 'pino';
import { unredacted } from '../logger';

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's id (see `requestContext`). */
    id: string;
    /** A child of the process logger carrying `requestId`, made on first use. */
    log: Logger;
  }
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const childLogger = Symbol('childLogger');

/** The request id of this request: the caller's `X-Request-Id` when it is sane, else a new UUID. */
export function requestIdOf(req: Request): string {
  return req.id;
}

function levelFor(statusCode: number, aborted: boolean): Level {
  if (statusCode >= 500) return 'error';
  if (statusCode >= 400 || aborted) return 'warn';
  return 'info';
}

/**
 * `req.log` as a getter on the app's request prototype rather than on each request:
 * defining a property on every request object switches it to slow (dictionary) mode,
 * which measured ~17 µs per request, more than the rest of this middleware together.
 */
function installRequestLogger(req: Request, logger: Logger): void {
  const prototype = Object.getPrototypeOf(req) as object;
  if (Object.hasOwn(prototype, 'log')) return;
  Object.defineProperty(prototype, 'log', {
    configurable: true,
    get(this: Request & { [childLogger]?: Logger }): Logger {
      return (this[childLogger] ??= logger.child({ requestId: this.id }));
    },
  });
}

/**
 * Gives every request an id (kept from a sane incoming `X-Request-Id`, else generated),
 * echoes it as `X-Request-Id`, offers `req.log` (a child logger carrying the id, made only
 * when a handler uses it) and writes one JSON line per request when it ends: `request
 * completed`, or `request aborted` at warn when the client went away first. Lines never hold
 * headers, query strings or bodies, so no secret can reach them; a handler may set
 * `res.locals.sub` to have the user's `sub` logged.
 *
 * Hand-written rather than pino-http: pino-http builds two child loggers for every request,
 * which measured ~20 µs of CPU per request, more than a cached token check costs in the
 * resource-server. The line it writes is the same shape. Since it is built only of those safe
 * fields, it is written without the redaction pass (`unredacted`), which cost more than
 * building and serialising it; `req.log` still redacts.
 */
export function requestContext(logger: Logger): RequestHandler {
  const lineLogger = unredacted(logger);
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const id =
      typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    installRequestLogger(req, logger);
    // A response always emits 'close', after 'finish' when it was sent in full.
    res.on('close', () => {
      const aborted = !res.writableFinished;
      const statusCode = res.statusCode;
      const level = levelFor(statusCode, aborted);
      if (!lineLogger.isLevelEnabled(level)) return;
      const sub: unknown = res.locals.sub;
      lineLogger[level](
        {
          requestId: id,
          req: {
            method: req.method,
            path: req.originalUrl.split('?', 1)[0],
            remoteAddress: req.socket.remoteAddress,
          },
          res: { statusCode },
          durationMs: Math.round((performance.now() - started) * 1000) / 1000,
          ...(typeof sub === 'string' ? { sub } : {}),
          ...(aborted ? { aborted: true } : {}),
        },
        aborted ? 'request aborted' : 'request completed',
      );
    });
    next();
  };
}

/** Marks every response it passes as not to be stored by browsers or proxies. */
export const noStore: RequestHandler = (_req: Request, res: Response, next: NextFunction) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
