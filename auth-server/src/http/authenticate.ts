import type { Request } from 'express';
import type { Accounts } from '../domain/accounts';
import { InvalidTokenError } from '../domain/errors';
import type { Authenticate } from './api-router';

/** Base64url JWT segments; anything else is refused before it reaches the pool. */
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;
const MAX_TOKEN_LENGTH = 8192;

/** The access token of `Authorization: Bearer <token>`; tokens are read from nowhere else. */
export function bearerToken(req: Request): string {
  const header = req.headers.authorization;
  if (header === undefined) {
    throw new InvalidTokenError('Send the access token as "Authorization: Bearer <token>".');
  }
  const match = header.length <= MAX_TOKEN_LENGTH + 7 ? BEARER.exec(header) : null;
  if (!match?.[1]) throw new InvalidTokenError();
  return match[1];
}

/**
 * Asks the pool who the token belongs to (GetUser checks signature, issuer, expiry and
 * revocation) and checks that it was issued to this app client, so a forged or foreign
 * token never reaches a handler (nor signs anyone out); then, for admin routes, whether
 * that user is in the admin group now.
 */
export function authenticateWith(accounts: Accounts): Authenticate {
  return async (req, access) => {
    const accessToken = bearerToken(req);
    const user = await accounts.authenticate(accessToken);
    if (access === 'admin') await accounts.assertAdmin(user);
    return { user, accessToken };
  };
}
