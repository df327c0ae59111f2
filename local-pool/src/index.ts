export { createLocalCognitoClient } from './client';
export {
  ensureUserPool,
  type EnsureUserPoolOptions,
  type EnsuredUserPool,
} from './ensure-user-pool';
export type { OutboxMessage } from './domain/types';
export { createConfirmedUser, type ConfirmedUserOptions } from './create-confirmed-user';
