import type { Logger } from '@authstack/shared';
import type { PoolStore } from '../storage/store';
import type { ImportJobRunner } from './import-jobs';
import type { KeyStore } from './keys';
import type { PasswordHasher } from './passwords';
import type { UserMigrationInvoker } from './migration';
import type { SignInLockout } from './sign-in-lockout';
import type { TriggerInvoker } from './trigger-invocation';

/** What every operation works with; built once in server.ts (or by a test). */
export interface PoolContext {
  store: PoolStore;
  keys: KeyStore;
  /** Hashes and checks user passwords (scrypt, at the configured cost). */
  passwords: PasswordHasher;
  /** Milliseconds since the epoch. */
  clock: () => number;
  region: string;
  /** Base of `iss`; a function because a pool started on port 0 learns its URL after listening. */
  issuerBase: () => string;
  /** Absent when no Lambda endpoint is configured: the UserMigration trigger is then never called. */
  migration: UserMigrationInvoker | undefined;
  /**
   * The other triggers (PreSignUp); absent when no Lambda endpoint is configured, and a
   * pool with a PreSignUp trigger then refuses every sign-up (UnexpectedLambdaException).
   */
  triggers?: TriggerInvoker | undefined;
  logger: Logger;
  /** Throttling of repeated failed sign-ins (off unless configured). */
  lockout: SignInLockout;
  /**
   * Lifetime of challenge sessions in seconds for every app client, overriding their
   * AuthSessionValidity (a local-only knob for tests); absent = each client's own setting.
   */
  authSessionSeconds?: number;
  /** Runs started user import jobs; absent (a test's in-process context): jobs stay Pending. */
  imports?: ImportJobRunner;
  /** The URL this process listens on (base of import jobs' PreSignedUrl); defaults to issuerBase. */
  localUrl?: () => string;
}

export const issuerOf = (context: PoolContext, poolId: string): string =>
  `${context.issuerBase()}/${poolId}`;
