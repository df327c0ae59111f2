import {
  Counter,
  createMetricsRegistry,
  Histogram,
  HttpError,
  TooManyRequestsError,
  type Registry,
} from '@authstack/shared';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { PoolCallObserver } from './adapters/cognito-client';
import type { SignInEnded } from './domain/accounts';
import type { RateLimits } from './http/rate-limits';

/**
 * How a sign-in with a password ended. `challenge`: the password was right and a second
 * step follows (MFA code, authenticator enrolment, new password). `error`: anything else
 * (an unsupported challenge, an internal error). A migration from the legacy store is not
 * told apart: the pool's answer to that sign-in is the same as to any other.
 */
export const SIGN_IN_OUTCOMES = [
  'success',
  'challenge',
  'invalid_credentials',
  'rate_limited',
  'password_reset_required',
  'user_not_confirmed',
  'upstream_unavailable',
  'error',
] as const;

export type SignInOutcomeLabel = (typeof SIGN_IN_OUTCOMES)[number];

const OUTCOME_OF_ERROR_CODE: Readonly<Record<string, SignInOutcomeLabel>> = {
  invalid_credentials: 'invalid_credentials',
  too_many_requests: 'rate_limited',
  password_reset_required: 'password_reset_required',
  user_not_confirmed: 'user_not_confirmed',
  upstream_unavailable: 'upstream_unavailable',
};

/** The `outcome` label of a sign-in: from the step it reached, or the error it answered. */
export function signInOutcomeOf(ended: SignInEnded): SignInOutcomeLabel {
  if ('outcome' in ended) return ended.outcome.kind === 'signed_in' ? 'success' : 'challenge';
  const { error } = ended;
  if (!(error instanceof HttpError)) return 'error';
  return (
    OUTCOME_OF_ERROR_CODE[error.code] ?? (error.status === 503 ? 'upstream_unavailable' : 'error')
  );
}

/** Calls to the user pool: from a warm local call to one that meets the 3 s deadline. */
const POOL_CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The auth-server's metrics, in one registry per instance: besides the HTTP metrics
 * (`useMetrics`), sign-ins by outcome and every call to the user pool by operation and
 * outcome. Labels are fixed sets of words; never an email, a password, a code or a token.
 */
export class AuthServerMetrics implements PoolCallObserver {
  readonly registry: Registry = createMetricsRegistry({ service: 'auth-server' });

  readonly #signIns = new Counter({
    name: 'auth_sign_ins_total',
    help: 'Sign-ins with a password (API and account pages), by outcome.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly #poolCalls = new Counter({
    name: 'cognito_requests_total',
    help: 'Calls to the user pool, by API action and outcome (ok, or the error name).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly #poolDurations = new Histogram({
    name: 'cognito_request_duration_seconds',
    help: 'Duration of calls to the user pool, retries included, by API action.',
    labelNames: ['operation'] as const,
    buckets: POOL_CALL_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    // Every outcome from the start at 0, so a rate (and an alarm on it) is defined at once.
    for (const outcome of SIGN_IN_OUTCOMES) this.#signIns.inc({ outcome }, 0);
  }

  /** Counts a sign-in by how it ended (for `Accounts`). */
  readonly signInEnded = (ended: SignInEnded): void => {
    this.#signIns.inc({ outcome: signInOutcomeOf(ended) });
  };

  poolCall(operation: string, outcome: string, seconds: number): void {
    this.#poolCalls.inc({ operation, outcome });
    this.#poolDurations.observe({ operation }, seconds);
  }

  /**
   * The rate limits with each sign-in they refuse (429 before the pool is asked) counted
   * as `rate_limited`; API and account pages share them.
   */
  countingSignInRefusals(limits: RateLimits): RateLimits {
    const countRefusal = (error: unknown): void => {
      if (error instanceof TooManyRequestsError) this.#signIns.inc({ outcome: 'rate_limited' });
    };
    const counted =
      (handler: RequestHandler): RequestHandler =>
      async (req: Request, res: Response, next: NextFunction) => {
        try {
          await handler(req, res, (error?: unknown) => {
            countRefusal(error);
            next(error);
          });
        } catch (error) {
          countRefusal(error);
          throw error;
        }
      };
    return { ...limits, signIn: limits.signIn.map(counted) };
  }
}
