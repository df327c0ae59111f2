import type { Logger } from '@authstack/shared';
import type { PoolStore } from '../storage/store';
import type { KeyStore } from './keys';
import type { UserMigrationInvoker } from './migration';
import type { SignInLockout } from './sign-in-lockout';

/** What every operation works with; built once in server.ts (or by a test). */
export interface PoolContext {
  store: PoolStore;
  keys: KeyStore;
  /** Milliseconds since the epoch. */
  clock: () => number;
  region: string;
  /** Base of `iss`; a function because a pool started on port 0 learns its URL after listening. */
  issuerBase: () => string;
  /** Absent when no Lambda endpoint is configured: the UserMigration trigger is then never called. */
  migration: UserMigrationInvoker | undefined;
  logger: Logger;
  /** Throttling of repeated failed sign-ins (off unless configured). */
  lockout: SignInLockout;
}

export const issuerOf = (context: PoolContext, poolId: string): string =>
  `${context.issuerBase()}/${poolId}`;
