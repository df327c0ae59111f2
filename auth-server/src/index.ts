export { buildApp, type AppDeps, type AppSettings } from './app';
export { configSchema, parseAuthServerConfig, type Config } from './config';
export { createCognitoClient, type PoolCallObserver } from './adapters/cognito-client';
export { AuthServerMetrics } from './metrics';
export { CognitoUserPool } from './adapters/cognito-user-pool';
export { PoolStatus } from './domain/pool-status';
export type { UserPool } from './domain/user-pool';
