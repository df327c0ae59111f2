import { maskIdentifier } from '@authstack/shared';
import { codeMismatch, expiredCode } from '../protocol/errors';
import type { PoolContext } from './context';
import { newCode } from './ids';
import type { CodeKind, MessageKind, UserRecord } from './types';
import { maskDestination } from './users';

const HOUR = 60 * 60 * 1000;

/** How long each kind of code stays valid (Cognito: sign-up 24 h, forgot-password 1 h). */
export const CODE_LIFETIME_MS: Readonly<Record<CodeKind, number>> = {
  signup: 24 * HOUR,
  'forgot-password': HOUR,
  'verify-email': 24 * HOUR,
};

export interface CodeDeliveryDetails {
  Destination: string;
  DeliveryMedium: 'EMAIL';
  AttributeName: 'email';
}

export const deliveryDetails = (email: string): CodeDeliveryDetails => ({
  Destination: maskDestination(email),
  DeliveryMedium: 'EMAIL',
  AttributeName: 'email',
});

/**
 * Puts a message into the local outbox instead of emailing it. The log line says a
 * message was queued, with the address masked and never the code.
 */
export function queueMessage(
  context: PoolContext,
  poolId: string,
  to: string,
  kind: MessageKind,
  code: string,
): void {
  context.store.addMessage(poolId, to, kind, code, context.clock());
  context.logger.info(
    { poolId, kind, to: maskIdentifier(to) },
    'message queued in the local outbox (not emailed)',
  );
}

/**
 * Issues a fresh code of `kind` for `user` (replacing any earlier one) and queues it
 * for the user's email. Call inside the operation's transaction.
 */
export function sendCode(
  context: PoolContext,
  user: UserRecord,
  kind: CodeKind,
): CodeDeliveryDetails {
  const email = user.attributes.email ?? '';
  const code = newCode();
  context.store.putCode(user.id, kind, code, context.clock() + CODE_LIFETIME_MS[kind]);
  queueMessage(context, user.poolId, email, kind, code);
  return deliveryDetails(email);
}

export const wrongCodeError = (): Error =>
  codeMismatch('Invalid verification code provided, please try again.');

/** Accepts `code` once: a wrong code is a mismatch, a used or old one has expired. */
export function consumeCode(
  context: PoolContext,
  user: UserRecord,
  kind: CodeKind,
  code: string,
): void {
  const stored = context.store.getCode(user.id, kind);
  if (!stored) throw expiredCode('Invalid code provided, please request a code again.');
  if (stored.code !== code) throw wrongCodeError();
  if (stored.expiresAt <= context.clock()) {
    context.store.deleteCode(user.id, kind);
    throw expiredCode('Invalid code provided, please request a code again.');
  }
  context.store.deleteCode(user.id, kind);
}
