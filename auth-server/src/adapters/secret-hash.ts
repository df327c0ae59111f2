import { createHmac } from 'node:crypto';

/**
 * Cognito's SECRET_HASH: base64 HMAC-SHA256 keyed with the app client secret over
 * `username + clientId`. `username` is what the call names the user by (the email
 * for sign-up and sign-in; the pool's own username for refresh and challenges).
 */
export function secretHash(clientSecret: string, username: string, clientId: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId)
    .digest('base64');
}
