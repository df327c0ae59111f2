import { createLogger, parseConfig } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { configSchema } from '../../src/config';
import type { TokenVerifierOptions } from '../../src/domain/token-verifier';
import type { TestKey } from './tokens';

/** Options for a `TokenVerifier` with the production defaults of `configSchema`. */
export function verifierOptions(
  required: Pick<TokenVerifierOptions, 'issuer' | 'clientIds' | 'source'>,
  overrides: Partial<TokenVerifierOptions> = {},
): TokenVerifierOptions {
  const defaults = parseConfig(configSchema, {
    USER_POOL_ID: 'us-east-1_Defaults1',
    USER_POOL_CLIENT_ID: 'defaults',
  }).auth;
  return {
    ...defaults,
    ...required,
    logger: createLogger({ name: 'resource-server', destination: new LogCapture() }),
    ...overrides,
  };
}

/** A JWKS source that serves `keys` from memory. */
export const inMemoryJwks = (...keys: TestKey[]): TokenVerifierOptions['source'] => ({
  url: 'in-memory',
  fetchJwks: async () => ({ keys: keys.map((key) => key.publicJwk) }),
});
