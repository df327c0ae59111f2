export {
  LOCAL_STATE_DB,
  localStateDatabaseUrl,
  STATE_DATABASE_URL_PATTERN,
  withoutPassword,
} from './settings';
export { createStatePool, stateClientConfig, type StatePoolOptions } from './pool';
export {
  migrateInBackground,
  migrateStateStore,
  STATE_MIGRATIONS_DIR,
  type BackgroundMigration,
} from './migrate';
export {
  loadRevocations,
  parseRevocationNotice,
  RevocationList,
  RevocationStore,
  type RevocableToken,
  type Revocation,
  type RevocationStoreOptions,
} from './revocations';
export {
  RevocationFeed,
  REVOCATION_CHANNEL,
  type FeedState,
  type FeedStatus,
  type RevocationFeedOptions,
} from './feed';
