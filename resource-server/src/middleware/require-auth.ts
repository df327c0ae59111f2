import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { HttpError } from '@authstack/shared';
import { ForbiddenError, ServiceUnavailableError, UnauthorizedError } from '@authstack/shared';
import type { TokenUse, VerifiedIdentity } from '../domain/cognito-claims';
import { REVOCATION_RETRY_AFTER_SECONDS } from '../domain/revocation-check';
import {
  SigningKeysUnavailableError,
  TokenRejectedError,
  type RejectionReason,
} from '../domain/token-errors';

/** What a route demands of the bearer token. */
export interface AuthRequirements {
  /** Only this kind of token (default: whatever `ACCEPTED_TOKEN_USE` allows). */
  tokenUse?: TokenUse;
  /** Membership of at least one of these groups (`cognito:groups`). */
  groups?: readonly string[];
  /** Every one of these OAuth scopes; implies an access token. */
  scopes?: readonly string[];
}

/** The part of `TokenVerifier` the middleware needs. */
export interface IdentityVerifier {
  cached(token: string): VerifiedIdentity | undefined;
  verify(token: string): Promise<VerifiedIdentity>;
}

/** The part of `RevocationCheck` the middleware needs: memory lookups only, per request. */
export interface RevocationGate {
  /** The copy of the revocations may have missed some: answer 503. */
  readonly refusing: boolean;
  isRevoked(identity: VerifiedIdentity): boolean;
  /** The identity with the groups the user was removed from taken out. */
  current(identity: VerifiedIdentity): VerifiedIdentity;
}

const REALM = 'Bearer realm="authstack"';
/** The case-insensitive `Bearer` scheme and what follows it (checked as a JWT later). */
const BEARER = /^bearer(?:[ ]+(.*))?$/i;

const REJECTION_MESSAGES: Record<RejectionReason, string> = {
  malformed: 'The bearer token is not a well-formed JWT.',
  unsupported_algorithm: 'The token is not signed with RS256.',
  unknown_key: 'The token is signed with a key this API does not trust.',
  bad_signature: 'The token signature is not valid.',
  expired: 'The token has expired.',
  not_yet_valid: 'The token is not valid yet.',
  issued_in_future: 'The token was issued in the future.',
  wrong_issuer: 'The token was issued by another user pool.',
  wrong_audience: 'The token was issued to another app client.',
  wrong_token_use: 'This kind of token is not accepted here.',
  invalid_claims: 'The token claims are not valid.',
  revoked: 'The token has been revoked.',
};

function invalidToken(message: string, cause?: unknown): HttpError {
  return new UnauthorizedError('invalid_token', message, {
    cause,
    headers: { 'WWW-Authenticate': `${REALM}, error="invalid_token"` },
  });
}

/** Maps verification failures to HTTP, in one place. */
function toHttpError(error: unknown): unknown {
  if (error instanceof TokenRejectedError) {
    return invalidToken(REJECTION_MESSAGES[error.reason], error);
  }
  if (error instanceof SigningKeysUnavailableError) {
    return new ServiceUnavailableError(
      'keys_unavailable',
      'The token signing keys cannot be fetched right now; try again shortly.',
      { cause: error, headers: { 'Retry-After': String(error.retryAfterSeconds) } },
    );
  }
  return error;
}

function revocationUnavailable(): HttpError {
  return new ServiceUnavailableError(
    'revocation_unavailable',
    'Token revocations cannot be checked right now; try again shortly.',
    { headers: { 'Retry-After': String(REVOCATION_RETRY_AFTER_SECONDS) } },
  );
}

/** Told why each token was refused (metrics). */
export type RejectionListener = (reason: RejectionReason) => void;

/** Logs why a token was refused (never the token), tells `onRejected`, and maps the failure to HTTP. */
function refusal(req: Request, error: unknown, onRejected?: RejectionListener): unknown {
  if (error instanceof TokenRejectedError) {
    req.log.info({ reason: error.reason }, 'token rejected');
    onRejected?.(error.reason);
  }
  return toHttpError(error);
}

/** The bearer token of the request, from the Authorization header only (never the URL). */
function bearerTokenOf(req: Request): string {
  const match = BEARER.exec(req.headers.authorization ?? '');
  if (!match) {
    throw new UnauthorizedError(
      'missing_token',
      'Send an ID or access token as "Authorization: Bearer <token>".',
      { headers: { 'WWW-Authenticate': REALM } },
    );
  }
  const token = match[1]?.trim() ?? '';
  if (token.length === 0) throw invalidToken('The Bearer authorization carries no token.');
  return token;
}

function insufficientScope(code: string, message: string, scopes?: readonly string[]): HttpError {
  const scope = scopes ? `, scope="${scopes.join(' ')}"` : '';
  return new ForbiddenError(code, message, {
    headers: { 'WWW-Authenticate': `${REALM}, error="insufficient_scope"${scope}` },
  });
}

/** `AuthRequirements` with the defaults filled in. */
interface RouteNeeds {
  tokenUse: TokenUse | undefined;
  groups: readonly string[];
  scopes: readonly string[];
}

function authorize(identity: VerifiedIdentity, needs: RouteNeeds): void {
  if (needs.tokenUse !== undefined && identity.tokenUse !== needs.tokenUse) {
    throw invalidToken(
      `This route requires an ${needs.tokenUse === 'id' ? 'ID' : 'access'} token.`,
    );
  }
  if (needs.groups.length > 0 && !needs.groups.some((group) => identity.groups.includes(group))) {
    throw insufficientScope(
      'forbidden',
      `This route requires membership of the group ${needs.groups.join(' or ')}.`,
    );
  }
  if (needs.scopes.length === 0) return;
  const missing = needs.scopes.filter((scope) => !identity.scopes.includes(scope));
  if (missing.length > 0) {
    throw insufficientScope(
      'insufficient_scope',
      `This route requires the scope ${missing.join(' and ')}.`,
      needs.scopes,
    );
  }
}

/** The verified identity `requireAuth` attached to this response. */
export function identityOf(res: Response): VerifiedIdentity {
  const identity: unknown = res.locals.identity;
  if (identity === undefined) throw new Error('identityOf() used on a route without requireAuth');
  return identity as VerifiedIdentity;
}

/**
 * Builds `requireAuth(requirements)`: a middleware that accepts a request only with a valid
 * bearer token, not revoked, meeting the route's requirements. A token verified before costs
 * a hash and a lookup; the revocation check runs on every request, cached or not, and group
 * checks see the groups the user still has. Failures: 401 `invalid_token`/`missing_token`,
 * 403 `forbidden`/`insufficient_scope` (each with an RFC 6750 `WWW-Authenticate` header),
 * 503 `keys_unavailable`/`revocation_unavailable` (with `Retry-After`).
 */
export function createRequireAuth(
  verifier: IdentityVerifier,
  revocations: RevocationGate,
  onRejected?: RejectionListener,
) {
  return function requireAuth(requirements: AuthRequirements = {}): RequestHandler {
    const scopes = requirements.scopes ?? [];
    if (scopes.length > 0 && requirements.tokenUse === 'id') {
      throw new Error('requireAuth: scopes are carried by access tokens only');
    }
    const needs: RouteNeeds = {
      tokenUse: scopes.length > 0 ? 'access' : requirements.tokenUse,
      groups: requirements.groups ?? [],
      scopes,
    };

    const admit = (
      req: Request,
      res: Response,
      next: NextFunction,
      verified: VerifiedIdentity,
    ): void => {
      res.locals.sub = verified.sub;
      // A known revocation is final, so it is answered even from a copy too old to trust.
      if (revocations.isRevoked(verified)) {
        throw refusal(req, new TokenRejectedError('revoked'), onRejected);
      }
      if (revocations.refusing) throw revocationUnavailable();
      const identity = revocations.current(verified);
      authorize(identity, needs);
      res.locals.identity = identity;
      res.setHeader('Cache-Control', 'no-store');
      next();
    };

    return (req: Request, res: Response, next: NextFunction) => {
      const token = bearerTokenOf(req);
      const cached = verifier.cached(token);
      if (cached) return admit(req, res, next, cached);
      return verifier.verify(token).then(
        (identity) => admit(req, res, next, identity),
        (error: unknown) => {
          throw refusal(req, error, onRejected);
        },
      );
    };
  };
}

export type RequireAuth = ReturnType<typeof createRequireAuth>;
