import { randomBytes } from 'node:crypto';
import { ForbiddenError } from '@authstack/shared';
import { doubleCsrf } from 'csrf-csrf';
import type { Request, RequestHandler, Response } from 'express';
import { unverifiedClaims } from '../domain/token-claims';
import { COOKIE_NAMES, type SessionCookies } from './session-cookies';

/** The answer to a form that came from another site or carries no valid token. */
export class RequestForgeryError extends ForbiddenError {
  constructor() {
    super(
      'csrf_failed',
      'This form did not come from this site, or it has expired: reload the page and try again.',
    );
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a state-changing request that a browser says came from another origin: its
 * `Origin` names another origin, or (where the browser sends `Origin: null`, e.g. under a
 * no-referrer policy, or none) `Sec-Fetch-Site` says it is not same-origin. A request
 * with neither header is not a browser's: the CSRF token still applies to it.
 */
export const sameOriginOnly: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method)) {
    next();
    return;
  }
  const origin = req.get('origin');
  const fetchSite = req.get('sec-fetch-site');
  const ownOrigin = `${req.protocol}://${req.get('host') ?? ''}`;
  let sameOrigin: boolean;
  if (origin !== undefined && origin !== 'null') sameOrigin = origin === ownOrigin;
  else if (fetchSite !== undefined) sameOrigin = fetchSite === 'same-origin';
  else sameOrigin = origin === undefined;
  if (!sameOrigin) {
    req.log.warn({ origin, fetchSite }, 'cross-site form refused');
    throw new RequestForgeryError();
  }
  next();
};

export interface FormTokens {
  /** The token to put in a page's forms (`_csrf`); sets its cookie when needed. */
  issue(req: Request, res: Response): string;
  /** Refuses (403) a state-changing request whose `_csrf` does not match its cookie. */
  protect: RequestHandler;
}

/**
 * CSRF tokens with csrf-csrf (signed double submit): an HttpOnly cookie and the same token
 * in each form. A token is bound to the sign-in it was issued in (the access token's
 * `origin_jti`, or "anonymous" before sign-in), so signing in or out gives new tokens.
 * `secret` unset: a random one for this process.
 */
export function formTokens(cookies: SessionCookies, secret: string | undefined): FormTokens {
  const signingSecret = secret ?? randomBytes(32).toString('hex');
  const { generateCsrfToken, doubleCsrfProtection } = doubleCsrf({
    getSecret: () => signingSecret,
    getSessionIdentifier: (req) => {
      const token = cookies.accessToken(req);
      const claims = token === undefined ? undefined : unverifiedClaims(token);
      return claims?.originJti ?? claims?.sub ?? 'anonymous';
    },
    cookieName: COOKIE_NAMES.csrf,
    cookieOptions: cookies.options(cookies.paths.access),
    getCsrfTokenFromRequest: (req) => {
      const body: unknown = req.body;
      if (typeof body !== 'object' || body === null || !('_csrf' in body)) return undefined;
      return typeof body._csrf === 'string' ? body._csrf : undefined;
    },
  });
  const protect: RequestHandler = (req, res, next) => {
    doubleCsrfProtection(req, res, (error?: unknown) => {
      if (error === undefined) {
        next();
        return;
      }
      req.log.warn('form refused: missing or invalid CSRF token');
      next(new RequestForgeryError());
    });
  };
  /** One token per response: every form of a page carries the one its cookie holds. */
  const issued = new WeakMap<Response, string>();
  const issue = (req: Request, res: Response): string => {
    const known = issued.get(res);
    if (known !== undefined) return known;
    const token = generateCsrfToken(req, res);
    issued.set(res, token);
    return token;
  };
  return { issue, protect };
}
