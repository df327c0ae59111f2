import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import {
  BadRequestError,
  HttpError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../errors';
import { requestIdOf } from './request-context';

/** The one error body of the stack. */
export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

/** Turns an error that is not yet an `HttpError` into one, or returns undefined to keep looking. */
export type ErrorMapper = (error: unknown) => HttpError | undefined;

interface BodyParserError {
  type?: string;
  status?: number;
}

function fromBodyParser(error: unknown): HttpError | undefined {
  const { type, status } = (error ?? {}) as BodyParserError;
  if (type === 'entity.parse.failed') {
    return new BadRequestError('invalid_json', 'The request body is not valid JSON.', {
      cause: error,
    });
  }
  if (type === 'entity.too.large') return new PayloadTooLargeError(undefined, { cause: error });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new UnsupportedMediaTypeError('Send the request body as UTF-8 JSON.', { cause: error });
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new BadRequestError('bad_request', 'The request could not be read.', { cause: error });
  }
  return undefined;
}

export function sendError(req: Request, res: Response, error: HttpError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  const body: ErrorBody = {
    error: { code: error.code, message: error.message, requestId: requestIdOf(req) },
  };
  res.status(error.status).json(body);
}

/**
 * The last middleware of every app: maps any error to the one error body.
 * `mappers` translate upstream errors (Cognito exceptions, JWT failures) at the edge;
 * anything still unknown is logged and answered 500 `internal_error` with no detail.
 */
export function errorHandler(...mappers: ErrorMapper[]): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let mapped: HttpError | undefined = error instanceof HttpError ? error : fromBodyParser(error);
    for (const mapper of mappers) {
      if (mapped) break;
      mapped = mapper(error);
    }
    if (!mapped) {
      req.log.error({ err: error }, 'unhandled error');
      mapped = new HttpError(500, 'internal_error', 'Something went wrong on our side.');
    } else if (mapped.status >= 500) {
      req.log.warn({ err: error, code: mapped.code }, 'request failed upstream');
    }
    sendError(req, res, mapped);
  };
}

/** 404 `not_found` for any route no router handled. */
export const notFoundHandler: RequestHandler = () => {
  throw new NotFoundError('not_found', 'No such route.');
};

/**
 * 404 `not_found` for every OPTIONS request, like any other method a route does not take.
 * Mount it before the routers: where a route exists, Express would answer OPTIONS itself,
 * 200 with the allowed methods as text/plain, outside the house error shape (the APIs serve
 * no CORS, so no client needs it).
 */
export const refuseOptions: RequestHandler = (req, _res, next) => {
  if (req.method === 'OPTIONS') throw new NotFoundError('not_found', 'No such route.');
  next();
};
