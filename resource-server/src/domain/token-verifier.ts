import { JwtVerifier } from 'aws-jwt-verify';
import type { JwtBaseError } from 'aws-jwt-verify/error';
import {
  JwtExpiredError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  JwksNotAvailableInCacheError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { Logger } from '@authstack/shared';
import {
  readCognitoClaims,
  type AcceptedTokenUse,
  type ClaimRules,
  type VerifiedIdentity,
} from './cognito-claims';
import {
  SigningKeys,
  type JwksRefreshOutcome,
  type JwksSource,
  type SigningKeysReport,
} from './signing-keys';
import { TokenRejectedError, type RejectionReason } from './token-errors';
import { VerifiedTokenCache } from './verified-token-cache';

/** Cognito kids are base64 digests; anything else (paths, shell or SQL fragments) is refused unlooked. */
const KID_PATTERN = /^[A-Za-z0-9+/=_-]{1,128}$/;

/** aws-jwt-verify errors, mapped once to why the token is refused. */
const REJECTIONS: ReadonlyArray<[new (...args: never[]) => JwtBaseError, RejectionReason]> = [
  [JwtParseError, 'malformed'],
  [JwtExpiredError, 'expired'],
  [JwtNotBeforeError, 'not_yet_valid'],
  [JwtInvalidIssuerError, 'wrong_issuer'],
  [JwtInvalidSignatureAlgorithmError, 'unsupported_algorithm'],
  [JwtInvalidSignatureError, 'bad_signature'],
  [KidNotFoundInJwksError, 'unknown_key'],
  [JwksNotAvailableInCacheError, 'unknown_key'],
  [JwtWithoutValidKidError, 'malformed'],
];

function rejectionFor(error: unknown): TokenRejectedError {
  if (error instanceof TokenRejectedError) return error;
  const match = REJECTIONS.find(([type]) => error instanceof type);
  return new TokenRejectedError(match?.[1] ?? 'bad_signature', { cause: error });
}

/** The verifier never fetches on its own: keys reach it only through `SigningKeys`. */
const noFetching: Fetcher = {
  fetch: () => Promise.reject(new Error('the JWKS is fetched by SigningKeys only')),
};

/** What the verifier tells as it works, for metrics; never a token. */
export interface TokenVerifierObserver {
  /** Each `cached()` lookup: a verified token found (and its key still published) or not. */
  tokenCache(result: 'hit' | 'miss'): void;
  /** Each fetch of the JWKS. */
  jwksRefresh(outcome: JwksRefreshOutcome): void;
}

export interface TokenVerifierOptions {
  issuer: string;
  clientIds: readonly string[];
  acceptedTokenUse: AcceptedTokenUse;
  clockSkewSeconds: number;
  tokenCacheMax: number;
  tokenCacheTtlSeconds: number;
  jwksRefetchIntervalSeconds: number;
  jwksMaxAgeSeconds: number;
  jwksStaleIfErrorSeconds: number;
  source: JwksSource;
  logger: Logger;
  /** The clock of the key and token caches (ms); token times are checked against `Date.now`. */
  now?: () => number;
  observer?: TokenVerifierObserver;
}

interface CachedVerification {
  identity: VerifiedIdentity;
  kid: string;
}

/**
 * Verifies Cognito ID and access tokens of one user pool: RS256 only, signature by a key of
 * the pool's JWKS (header `jku`, `x5u`, `jwk`, `x5c` are never used), `iss`, `token_use`,
 * `aud`/`client_id`, `exp`/`nbf` with clock skew, `iat` not in the future. A verified token
 * is remembered until it expires, the cache lifetime ends, or its key leaves the JWKS.
 */
export class TokenVerifier {
  readonly #issuer: string;
  readonly #keys: SigningKeys;
  readonly #cache: VerifiedTokenCache<CachedVerification>;
  readonly #jwt: ReturnType<typeof createJwtVerifier>;
  readonly #rules: ClaimRules;
  readonly #observer: TokenVerifierObserver | undefined;

  constructor(options: TokenVerifierOptions) {
    const now = options.now ?? Date.now;
    this.#issuer = options.issuer;
    this.#observer = options.observer;
    this.#jwt = createJwtVerifier(options.issuer, options.source.url, options.clockSkewSeconds);
    this.#keys = new SigningKeys({
      source: options.source,
      refetchIntervalMs: options.jwksRefetchIntervalSeconds * 1000,
      maxAgeMs: options.jwksMaxAgeSeconds * 1000,
      staleIfErrorMs: options.jwksStaleIfErrorSeconds * 1000,
      onKeys: (jwks) => this.#jwt.cacheJwks(jwks),
      onRefresh: (outcome) => this.#observer?.jwksRefresh(outcome),
      logger: options.logger,
      now,
    });
    this.#cache = new VerifiedTokenCache({
      max: options.tokenCacheMax,
      ttlMs: options.tokenCacheTtlSeconds * 1000,
      now,
    });
    this.#rules = {
      clientIds: new Set(options.clientIds),
      acceptedTokenUse: options.acceptedTokenUse,
      clockSkewSeconds: options.clockSkewSeconds,
    };
  }

  /** Loads the signing keys; call before serving. Rejects when the JWKS cannot be fetched. */
  load(): Promise<void> {
    return this.#keys.load();
  }

  /** True while signing keys are loaded and fresh enough to trust (drives `/readyz`). */
  get ready(): boolean {
    return this.#keys.ready;
  }

  /** The key set's age and the JWKS source's state, for `/readyz`. */
  keysReport(): SigningKeysReport {
    return this.#keys.report();
  }

  /**
   * The identity of a token verified before, if it is still cached and its key is still
   * published; otherwise undefined. Costs a map lookup and a string comparison.
   */
  cached(token: string): VerifiedIdentity | undefined {
    const hit = this.#cache.get(token);
    const identity = hit && this.#keys.has(hit.kid) ? hit.identity : undefined;
    this.#observer?.tokenCache(identity ? 'hit' : 'miss');
    return identity;
  }

  /** Fully verifies `token`; rejects with `TokenRejectedError` or `SigningKeysUnavailableError`. */
  async verify(token: string): Promise<VerifiedIdentity> {
    const kid = this.#precheck(token);
    await this.#keys.require(kid);
    let identity: VerifiedIdentity;
    try {
      const payload = this.#jwt.verifySync(token);
      identity = readCognitoClaims(payload, this.#rules, Date.now() / 1000);
    } catch (error) {
      throw rejectionFor(error);
    }
    this.#cache.set(token, { identity, kid }, identity.expiresAt * 1000);
    return identity;
  }

  /**
   * Cheap checks before any key lookup, so that nothing in a forged token can cause a
   * JWKS fetch: well-formed, RS256, no critical extensions, a sane kid, our issuer.
   */
  #precheck(token: string): string {
    let decomposed: ReturnType<typeof decomposeUnverifiedJwt>;
    try {
      decomposed = decomposeUnverifiedJwt(token);
    } catch (error) {
      throw rejectionFor(error);
    }
    const { header, payload } = decomposed;
    if (header.alg !== 'RS256') throw new TokenRejectedError('unsupported_algorithm');
    if (Object.hasOwn(header, 'crit')) throw new TokenRejectedError('malformed');
    const kid = header.kid;
    if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
      throw new TokenRejectedError('malformed');
    }
    if (payload.iss !== this.#issuer) throw new TokenRejectedError('wrong_issuer');
    return kid;
  }
}

function createJwtVerifier(issuer: string, jwksUri: string, graceSeconds: number) {
  return JwtVerifier.create(
    { issuer, jwksUri, audience: null, graceSeconds },
    { jwksCache: new SimpleJwksCache({ fetcher: noFetching }) },
  );
}
