import {
  TooManyRequestsError,
  maskIdentifier,
  normalizeEmail,
  type Logger,
} from '@authstack/shared';
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type Options, type RateLimitInfo } from 'express-rate-limit';

export interface RateLimitSettings {
  windowMs: number;
  /** Failed sign-ins per email address in a window; 0 turns the limit off. */
  signInFailuresPerEmail: number;
  /** Failed sign-ins per client address (IPv6: per /56) in a window; 0 turns it off. */
  signInFailuresPerIp: number;
  /** Sign-up, confirm, resend, forgot, reset and new-password requests per client address. */
  accountRequestsPerIp: number;
}

export interface RateLimits {
  signIn: RequestHandler[];
  account: RequestHandler[];
}

/** Client addresses: IPv4 as is, IPv6 grouped by /56 (one customer's allocation). */
const IPV6_SUBNET = 56;

/** Only a rejected password counts as a failed sign-in (not bad input, not an unavailable pool). */
const isNotWrongPassword = (_req: Request, res: Response): boolean => res.statusCode !== 401;

function emailOf(req: Request): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || !('email' in body)) return undefined;
  return typeof body.email === 'string' ? normalizeEmail(body.email) : undefined;
}

/**
 * express-rate-limit with in-memory stores. Which address counts is `req.ip`, so it
 * follows the app's `trust proxy` hop count: a client's own X-Forwarded-For entries
 * cannot pick a bucket. A limited request gets the one error body, 429 and Retry-After.
 */
export function createRateLimits(settings: RateLimitSettings, logger: Logger): RateLimits {
  const limiter = (name: string, limit: number, options: Partial<Options>): RequestHandler[] => {
    if (limit === 0) return [];
    const requestPropertyName = `rateLimit_${name}`;
    return [
      rateLimit({
        windowMs: settings.windowMs,
        limit,
        standardHeaders: false,
        legacyHeaders: false,
        requestPropertyName,
        handler: (req, _res, next) => {
          const info = (req as Request & Record<string, RateLimitInfo | undefined>)[
            requestPropertyName
          ];
          const resetMs = info?.resetTime
            ? info.resetTime.getTime() - Date.now()
            : settings.windowMs;
          req.log.warn(
            { limit: name, key: info ? maskIdentifier(info.key) : undefined },
            'rate limit reached',
          );
          next(new TooManyRequestsError(resetMs / 1000));
        },
        logger: {
          error: (error, message) => logger.error({ err: error }, message),
          warn: (error, message) => logger.warn({ err: error }, message),
        },
        ...options,
      }),
    ];
  };
  const failedSignIns: Partial<Options> = {
    skipSuccessfulRequests: true,
    requestWasSuccessful: isNotWrongPassword,
  };
  return {
    signIn: [
      ...limiter('signin_ip', settings.signInFailuresPerIp, {
        ...failedSignIns,
        ipv6Subnet: IPV6_SUBNET,
      }),
      ...limiter('signin_email', settings.signInFailuresPerEmail, {
        ...failedSignIns,
        skip: (req) => emailOf(req) === undefined,
        keyGenerator: (req) => `email:${emailOf(req) ?? ''}`,
      }),
    ],
    account: limiter('account_ip', settings.accountRequestsPerIp, { ipv6Subnet: IPV6_SUBNET }),
  };
}
