import type { CookieOptions, Request, Response } from 'express';
import { z } from 'zod';
import type { Tokens } from '../domain/user-pool';

/**
 * The account pages' cookies. Every one is HttpOnly (no script reads a token),
 * SameSite=Strict (no other site's request carries it) and Secure unless a local stack over
 * plain http turned that off (ACCOUNT_COOKIE_SECURE=false), and each is scoped to the paths
 * that need it: the refresh token goes only to `/session` (refresh and sign-out), a sign-in
 * challenge only to `/signin`, a pending authenticator only to `/mfa`.
 */
export const COOKIE_NAMES = {
  access: 'authstack_access',
  refresh: 'authstack_refresh',
  challenge: 'authstack_challenge',
  enrolment: 'authstack_enrolment',
  csrf: 'authstack_csrf',
} as const;

/** How long a refresh cookie is kept: Cognito's default refresh-token validity. */
const REFRESH_COOKIE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
/** A sign-in challenge's session lasts 3 minutes by default (AuthSessionValidity). */
const CHALLENGE_COOKIE_MAX_AGE_MS = 5 * 60 * 1000;
const ENROLMENT_COOKIE_MAX_AGE_MS = 10 * 60 * 1000;

/** The second step of a sign-in that is under way, kept between its pages. */
export const PendingSignIn = z.object({
  kind: z.enum(['totp_required', 'totp_enrolment_required', 'new_password_required']),
  email: z.string().min(1).max(128),
  session: z.string().min(1).max(8192),
  /** The authenticator's key, for an enrolment at sign-in (the QR code is made again from it). */
  secret: z.string().min(1).max(256).optional(),
});
export type PendingSignIn = z.infer<typeof PendingSignIn>;

const RefreshCookie = z.object({
  refreshToken: z.string().min(1).max(8192),
  email: z.string().min(1).max(128),
});
export type RefreshCookie = z.infer<typeof RefreshCookie>;

export class SessionCookies {
  readonly #base: string;
  readonly #secure: boolean;

  /** `base`: the pages' path, e.g. `/v1/account`. */
  constructor(base: string, secure: boolean) {
    this.#base = base;
    this.#secure = secure;
  }

  get paths(): { access: string; refresh: string; challenge: string; enrolment: string } {
    return {
      access: this.#base,
      refresh: `${this.#base}/session`,
      challenge: `${this.#base}/signin`,
      enrolment: `${this.#base}/mfa`,
    };
  }

  /** The options every cookie of the pages is set with, on `path`. */
  options(path: string, maxAgeMs?: number): CookieOptions {
    return {
      httpOnly: true,
      secure: this.#secure,
      sameSite: 'strict',
      path,
      ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }),
    };
  }

  /** A signed-in session: the access token, and the refresh token where the pool gave one. */
  setSession(res: Response, tokens: Tokens, email: string): void {
    res.cookie(
      COOKIE_NAMES.access,
      tokens.accessToken,
      this.options(this.paths.access, tokens.expiresIn * 1000),
    );
    if (tokens.refreshToken !== undefined) {
      const value: RefreshCookie = { refreshToken: tokens.refreshToken, email };
      res.cookie(
        COOKIE_NAMES.refresh,
        value,
        this.options(this.paths.refresh, REFRESH_COOKIE_MAX_AGE_MS),
      );
    }
    this.clearPendingSignIn(res);
  }

  /** A refreshed access token (the refresh token stays as it is). */
  setAccessToken(res: Response, tokens: Tokens): void {
    res.cookie(
      COOKIE_NAMES.access,
      tokens.accessToken,
      this.options(this.paths.access, tokens.expiresIn * 1000),
    );
  }

  accessToken(req: Request): string | undefined {
    return stringCookie(req, COOKIE_NAMES.access);
  }

  refresh(req: Request): RefreshCookie | undefined {
    return parsedCookie(req, COOKIE_NAMES.refresh, RefreshCookie);
  }

  /** Ends the session in this browser: every session cookie is expired. */
  clearSession(res: Response): void {
    res.clearCookie(COOKIE_NAMES.access, this.options(this.paths.access));
    res.clearCookie(COOKIE_NAMES.refresh, this.options(this.paths.refresh));
    this.clearPendingSignIn(res);
    this.clearEnrolment(res);
  }

  setPendingSignIn(res: Response, pending: PendingSignIn): void {
    res.cookie(
      COOKIE_NAMES.challenge,
      pending,
      this.options(this.paths.challenge, CHALLENGE_COOKIE_MAX_AGE_MS),
    );
  }

  pendingSignIn(req: Request): PendingSignIn | undefined {
    return parsedCookie(req, COOKIE_NAMES.challenge, PendingSignIn);
  }

  clearPendingSignIn(res: Response): void {
    res.clearCookie(COOKIE_NAMES.challenge, this.options(this.paths.challenge));
  }

  /** The key of an authenticator being added from the profile, until its first code. */
  setEnrolment(res: Response, secret: string): void {
    res.cookie(
      COOKIE_NAMES.enrolment,
      secret,
      this.options(this.paths.enrolment, ENROLMENT_COOKIE_MAX_AGE_MS),
    );
  }

  enrolment(req: Request): string | undefined {
    return stringCookie(req, COOKIE_NAMES.enrolment);
  }

  clearEnrolment(res: Response): void {
    res.clearCookie(COOKIE_NAMES.enrolment, this.options(this.paths.enrolment));
  }
}

function stringCookie(req: Request, name: string): string | undefined {
  const value: unknown = (req.cookies as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 8192 ? value : undefined;
}

/** A JSON cookie (cookie-parser reads `j:` values); undefined when missing or malformed. */
function parsedCookie<T>(req: Request, name: string, schema: z.ZodType<T>): T | undefined {
  const value: unknown = (req.cookies as Record<string, unknown> | undefined)?.[name];
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
