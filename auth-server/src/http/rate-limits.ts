import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { HttpError, TooManyRequestsError, maskIdentifier, normalizeEmail } from '@authstack/shared';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { Address6 } from 'ip-address';
import { LimitCounter, type LimitUsage } from '../domain/limit-counter';
import type { StateStoreClient, StateStoreHealth } from '../domain/state-store-health';

export interface RateLimitSettings {
  windowMs: number;
  /** Failed sign-ins per email address in a window; 0 turns the limit off. */
  signInFailuresPerEmail: number;
  /** Failed sign-ins per client address (IPv6: per /56) in a window; 0 turns it off. */
  signInFailuresPerIp: number;
  /** Sign-up, confirm, resend, forgot, reset and new-password requests per client address. */
  accountRequestsPerIp: number;
  /** Wrong MFA codes per sign-in session in a window; 0 turns the limit off. */
  mfaFailuresPerSession: number;
  /** Wrong MFA codes per user (email) in a window, whatever the route; 0 turns it off. */
  mfaFailuresPerUser: number;
}

export interface RateLimitDeps {
  /** The shared state store; absent, every limit counts per process. */
  db: StateStoreClient | undefined;
  health: StateStoreHealth;
}

export interface RateLimits {
  /** Before a sign-in: 429 once the email or the client address has used up its failures. */
  signIn: RequestHandler[];
  /** Counts every request of the client address; 429 beyond its budget. */
  account: RequestHandler[];
  /**
   * Error middleware: counts a sign-in that ended in 401 (a rejected password) against
   * its email and address, before the answer goes out.
   */
  countFailedSignIn: ErrorRequestHandler;
  /**
   * Runs `attempt`, an answer with an MFA code: 429 before it once the session or the
   * user (email) has used up its wrong codes; a wrong code (400 `invalid_code`) is then
   * counted against both. A code used twice, or an expired session, is not a guess and
   * does not count.
   */
  mfaCodeAttempt<T>(
    req: Request,
    who: { email: string; session?: string },
    attempt: () => Promise<T>,
  ): Promise<T>;
  /**
   * Runs `attempt`, a password check outside sign-in (turning MFA off), under the failed
   * sign-in limits: 429 before it once the email or the address has used up its failures;
   * a wrong password (400 `incorrect_password`) counts as a failed sign-in.
   */
  passwordAttempt<T>(req: Request, email: string, attempt: () => Promise<T>): Promise<T>;
}

/** Client addresses: IPv4 as is, IPv6 grouped by /56 (one customer's allocation). */
const IPV6_SUBNET = 56;
const IPV4_COMPATIBLE = new Address6('::/96');

/**
 * The address a limit counts: IPv4 (IPv4-mapped IPv6 included) as is, any other IPv6
 * address as its /56 network — the grouping express-rate-limit's `ipKeyGenerator` uses.
 */
export function clientAddressKey(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const address = new Address6(ip);
  if (address.isMapped4() || (address.is4() && address.isInSubnet(IPV4_COMPATIBLE))) {
    return address.to4().correctForm();
  }
  return new Address6(`${ip}/${IPV6_SUBNET}`).networkForm();
}

/** `req.ip` follows the app's `trust proxy`: a client's own X-Forwarded-For cannot pick a bucket. */
const clientAddressOf = (req: Request): string | undefined =>
  req.ip === undefined ? undefined : clientAddressKey(req.ip);

/** What a route handler passes for a limit it runs itself (the caller's own email, say). */
interface Given {
  email?: string;
  session?: string;
}

/** The email given by the handler, else the request body's. */
function emailOf(req: Request, given: Given): string | undefined {
  if (given.email !== undefined) return given.email;
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || !('email' in body)) return undefined;
  return typeof body.email === 'string' ? normalizeEmail(body.email) : undefined;
}

/**
 * What the store keeps for an email or address: its SHA-256, never the value, and always
 * short enough for the key column. Its first 12 characters are what logs show
 * (`maskIdentifier`).
 */
const storeKeyOf = (identifier: string): string =>
  createHash('sha256').update(normalizeEmail(identifier)).digest('hex');

interface Limit {
  counter: LimitCounter;
  limit: number;
  identify: (req: Request, given: Given) => string | undefined;
}

interface Keyed {
  limit: Limit;
  identifier: string;
  key: string;
}

function keysOf(limits: Limit[], req: Request, given: Given = {}): Keyed[] {
  return limits.flatMap((limit) => {
    const identifier = limit.identify(req, given);
    return identifier === undefined ? [] : [{ limit, identifier, key: storeKeyOf(identifier) }];
  });
}

const hasCode = (code: string) => (error: unknown) =>
  error instanceof HttpError && error.code === code;

/** Throws 429 (Retry-After: the longest wait) when any of the usages is over its limit. */
function refuseIfOver(
  req: Request,
  keyed: Keyed[],
  usages: LimitUsage[],
  isOver: (usage: LimitUsage, limit: number) => boolean,
): void {
  let refusal: { keyed: Keyed; usage: LimitUsage } | undefined;
  keyed.forEach((entry, index) => {
    const usage = usages[index];
    if (usage === undefined || !isOver(usage, entry.limit.limit)) return;
    if (refusal === undefined || usage.msBeforeReset > refusal.usage.msBeforeReset) {
      refusal = { keyed: entry, usage };
    }
  });
  if (refusal === undefined) return;
  req.log.warn(
    {
      limit: refusal.keyed.limit.counter.name,
      key: maskIdentifier(refusal.keyed.identifier),
      countedIn: refusal.usage.countedIn,
    },
    'rate limit reached',
  );
  throw new TooManyRequestsError(refusal.usage.msBeforeReset / 1000);
}

/**
 * The auth-server's rate limits, counted with rate-limiter-flexible in the shared state
 * store (so they hold across instances and restarts) and per process while the store is
 * down or not configured. Failed sign-ins are checked before the call and counted only
 * once it has ended in 401, so sign-ins still in flight never count and concurrent
 * correct sign-ins are never refused. A limited request gets the one error body, 429 and
 * Retry-After.
 */
export function createRateLimits(
  settings: RateLimitSettings,
  { db, health }: RateLimitDeps,
): RateLimits {
  const limitOf = (name: string, limit: number, identify: Limit['identify']): Limit[] =>
    limit === 0
      ? []
      : [
          {
            counter: new LimitCounter({ name, limit, windowMs: settings.windowMs, db, health }),
            limit,
            identify,
          },
        ];
  const failureLimits = [
    ...limitOf('signin_ip', settings.signInFailuresPerIp, clientAddressOf),
    ...limitOf('signin_email', settings.signInFailuresPerEmail, emailOf),
  ];
  const accountLimits = limitOf('account_ip', settings.accountRequestsPerIp, clientAddressOf);
  const mfaLimits = [
    ...limitOf('mfa_session', settings.mfaFailuresPerSession, (_req, given) => given.session),
    ...limitOf('mfa_user', settings.mfaFailuresPerUser, (_req, given) => given.email),
  ];
  /** The keys of each sign-in under way, to count if it ends in 401. */
  const signInsUnderWay = new WeakMap<Request, Keyed[]>();

  const checkFailures: RequestHandler = async (req, _res, next) => {
    const keyed = keysOf(failureLimits, req);
    const usages = await Promise.all(keyed.map(({ limit, key }) => limit.counter.peek(key)));
    refuseIfOver(req, keyed, usages, (usage, limit) => usage.count >= limit);
    signInsUnderWay.set(req, keyed);
    next();
  };

  const countRequest: RequestHandler = async (req, _res, next) => {
    const keyed = keysOf(accountLimits, req);
    const usages = await Promise.all(keyed.map(({ limit, key }) => limit.counter.add(key)));
    refuseIfOver(req, keyed, usages, (usage, limit) => usage.count > limit);
    next();
  };

  const countFailedSignIn: ErrorRequestHandler = async (error, req, _res, next) => {
    const keyed = signInsUnderWay.get(req);
    if (keyed !== undefined && error instanceof HttpError && error.status === 401) {
      signInsUnderWay.delete(req);
      await Promise.all(keyed.map(({ limit, key }) => limit.counter.add(key)));
    }
    next(error);
  };

  /** Checks the keys before `attempt`, and counts them when it fails with `isFailure`. */
  const guarded = async <T>(
    req: Request,
    limits: Limit[],
    given: Given,
    isFailure: (error: unknown) => boolean,
    attempt: () => Promise<T>,
  ): Promise<T> => {
    const keyed = keysOf(limits, req, given);
    const usages = await Promise.all(keyed.map(({ limit, key }) => limit.counter.peek(key)));
    refuseIfOver(req, keyed, usages, (usage, limit) => usage.count >= limit);
    try {
      return await attempt();
    } catch (error) {
      if (isFailure(error)) {
        await Promise.all(keyed.map(({ limit, key }) => limit.counter.add(key)));
      }
      throw error;
    }
  };

  return {
    signIn: failureLimits.length > 0 ? [checkFailures] : [],
    account: accountLimits.length > 0 ? [countRequest] : [],
    countFailedSignIn,
    mfaCodeAttempt: (req, who, attempt) =>
      guarded(req, mfaLimits, who, hasCode('invalid_code'), attempt),
    passwordAttempt: (req, email, attempt) =>
      guarded(req, failureLimits, { email }, hasCode('incorrect_password'), attempt),
  };
}
