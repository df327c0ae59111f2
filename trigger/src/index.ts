// The trigger's building blocks. The Lambda entry is `handler.ts` (not re-exported here:
// it reads its configuration when loaded).
export { migrateUser, type MigrationDeps, type MigrationSettings } from './domain/migrate-user';
export { refuseLegacySignUp, type PreSignUpDeps } from './pre-sign-up/refuse-legacy-sign-up';
export {
  LEGACY_ACCOUNT_EXISTS_MESSAGE,
  LegacyAccountExistsError,
  SIGN_UP_UNAVAILABLE_MESSAGE,
  SignUpUnavailableError,
} from './pre-sign-up/errors';
export { dispatchTrigger, type CognitoTriggerEvent, type TriggerName } from './dispatch-trigger';
export {
  LEGACY_STORE_LATENCY,
  OUTCOME_METRICS,
  TRIGGER_METRICS_NAMESPACE,
} from './metrics/invocation-metrics';
export type {
  LegacyAuthResult,
  LegacyProfile,
  LegacyRejection,
  LegacyUserSource,
} from './domain/legacy-user-source';
export {
  InvalidTriggerEventError,
  LegacyStoreUnavailableError,
  MigrationRefusedError,
  REFUSAL_MESSAGE,
} from './domain/errors';
export { verifyPasswordHash } from './domain/password-hash';
export {
  PostgresLegacyUserSource,
  type LegacyUsersTable,
} from './adapters/postgres-legacy-user-source';
export {
  HttpLegacyUserSource,
  type HttpLegacyUserSourceOptions,
} from './adapters/http-legacy-user-source';
export { createLegacyPool } from './adapters/postgres-pool';
export { triggerConfigSchema, invokeServerConfigSchema, type TriggerConfig } from './config';
export { buildInvokeApp, functionArnOf, type InvokeAppDeps } from './invoke/app';
