export {
  BufferedDestination,
  createLogger,
  logProcessWarnings,
  REDACTED_PATHS,
  unredacted,
  type Logger,
  type LoggerOptions,
} from './logger';
export { maskIdentifier } from './mask';
export * from './errors';
export { parseConfig, loadConfig, ConfigError, env, stageName } from './config';
export * from './http';
export {
  DEFAULT_PASSWORD_POLICY,
  PASSWORD_RULE_MESSAGES,
  passwordPolicyViolations,
  type PasswordPolicy,
  type PasswordRule,
} from './password-policy';
export {
  isEmail,
  LEGACY_STORE_UNAVAILABLE_MESSAGE,
  MFA_MODES,
  normalizeEmail,
  POOL_MFA_CONFIGURATION,
  secretHash,
  type MfaMode,
} from './cognito';
export { isReadyMessage, onSupervisorGone, READY_MESSAGE, reportReady } from './supervision';
export {
  IMPORT_CSV_MAX_BYTES,
  IMPORT_CSV_MAX_USERS,
  importCsvField,
  importCsvLine,
  splitImportCsvLine,
} from './import-csv';
export { isPortFree } from './ports';
export { SHIPPED_NODE_MAJOR, takeOverSdkRuntimeNotice } from './runtime';
