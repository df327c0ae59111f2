import { createHmac } from 'node:crypto';

/**
 * The one way the stack normalises an email address wherever it meets one (request
 * schemas, rate-limit keys, legacy-store lookups, log tags): trimmed and lower-cased.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What Cognito takes for an email address: something, an `@`, something, no whitespace. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Whether `value` has the shape of an email address as the user pool accepts one. */
export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

/**
 * Cognito's SECRET_HASH: base64 HMAC-SHA256 keyed with the app client secret over
 * `username + clientId`. `username` is what the call names the user by (the email
 * for sign-up and sign-in; the pool's own username for refresh and challenges).
 * The auth-server sends it; the local pool checks it.
 */
export function secretHash(clientSecret: string, username: string, clientId: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId)
    .digest('base64');
}

/**
 * `MFA_MODE`: TOTP multi-factor sign-in off, optional per user, or required of everyone. One
 * setting for the auth-server, `npm start`, compose and the CDK app.
 */
export const MFA_MODES = ['off', 'optional', 'required'] as const;
export type MfaMode = (typeof MFA_MODES)[number];

/** The user pool's `MfaConfiguration` each `MFA_MODE` stands for (set where the pool is made). */
export const POOL_MFA_CONFIGURATION = {
  off: 'OFF',
  optional: 'OPTIONAL',
  required: 'ON',
} as const satisfies Record<MfaMode, string>;

/**
 * What the UserMigration trigger throws when it cannot check a person right now (legacy
 * store down, slow or answering nonsense; its credentials unreadable), as against "Bad
 * password" for every refusal. Cognito passes it on inside `UserLambdaValidationException`
 * (`UserMigration failed with error <this>.`), so the auth-server can answer 503 instead of
 * a wrong-credentials 401. One copy for the trigger that throws it and the server that reads it.
 */
export const LEGACY_STORE_UNAVAILABLE_MESSAGE = 'The legacy user store is unavailable';
