/**
 * What the pages say that the API does not: confirmations after a redirect, chosen by a
 * fixed key in the URL (`?notice=`), never by text from the request.
 */
export const NOTICES = {
  confirmed: 'Your email is confirmed; sign in now.',
  'code-sent': 'We emailed you a code: enter it here to confirm your account.',
  'password-reset': 'Your new password is set; sign in with it.',
  'password-changed':
    'Your password is changed. Every other device you were signed in on is signed out.',
  'mfa-on': 'Multi-factor sign-in is on: every sign-in now asks for a code from your app.',
  'enrolment-expired': 'Adding the authenticator took too long; start again.',
  'session-expired': 'Your sign-in session has ended; sign in again.',
  'signed-out': 'You are signed out on this device.',
  'signed-out-everywhere': 'You are signed out everywhere.',
} as const;
export type Notice = keyof typeof NOTICES;

/**
 * The API's answers to requests that look the same whether or not the account exists
 * (POST /user/password/forgot, /user/confirm/resend): the very same words.
 */
export { ACCEPTED as ACCEPTED_MESSAGES } from '../routes/user';
