export { buildApp, type AppDeps } from './app';
export { configSchema, type Config, type AuthConfig } from './config';
export {
  createRequireAuth,
  identityOf,
  type AuthRequirements,
  type IdentityVerifier,
  type RequireAuth,
} from './middleware/require-auth';
export { TokenVerifier, type TokenVerifierOptions } from './domain/token-verifier';
export type { VerifiedIdentity, TokenUse, AcceptedTokenUse } from './domain/cognito-claims';
export { SigningKeys, type JwksSource } from './domain/signing-keys';
export { httpJwksSource } from './adapters/http-jwks-source';
export { TokenRejectedError, SigningKeysUnavailableError } from './domain/token-errors';
