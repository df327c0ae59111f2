export { createLogger, REDACTED_PATHS, type Logger, type LoggerOptions } from './logger';
export { maskIdentifier } from './mask';
export * from './errors';
export { parseConfig, loadConfig, ConfigError, env } from './config';
export * from './http';
