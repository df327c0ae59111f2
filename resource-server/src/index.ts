export { buildApp, type AppDeps } from './app';
export { ResourceServerMetrics } from './metrics';
export { configSchema, type Config, type AuthConfig, type RevocationConfig } from './config';
export {
  createRequireAuth,
  identityOf,
  type AuthRequirements,
  type IdentityVerifier,
  type RequireAuth,
  type RevocationGate,
} from './middleware/require-auth';
export { TokenVerifier, type TokenVerifierOptions } from './domain/token-verifier';
export type { VerifiedIdentity, TokenUse, AcceptedTokenUse } from './domain/cognito-claims';
export { SigningKeys, type JwksSource } from './domain/signing-keys';
export { httpJwksSource } from './adapters/http-jwks-source';
export { TokenRejectedError, SigningKeysUnavailableError } from './domain/token-errors';
export {
  RevocationCheck,
  REVOCATION_RETRY_AFTER_SECONDS,
  type RevocationCheckOptions,
  type RevocationCopy,
  type RevocationMode,
  type RevocationReport,
} from './domain/revocation-check';
export { RevocationMonitor, type RevocationMonitorOptions } from './domain/revocation-monitor';
export { startRevocations, type RunningRevocations } from './adapters/state-store-revocations';
