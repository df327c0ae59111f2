/**
 * The one way the auth-server normalises an email address, wherever it meets one
 * (request schemas, rate-limit keys, admin paths): surrounding blanks trimmed, lower-cased.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
