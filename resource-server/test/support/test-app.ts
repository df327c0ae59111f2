import type { Express } from 'express';
import { createLogger, Lifecycle } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { httpJwksSource } from '../../src/adapters/http-jwks-source';
import { buildApp } from '../../src/app';
import { RevocationCheck } from '../../src/domain/revocation-check';
import { TokenVerifier, type TokenVerifierOptions } from '../../src/domain/token-verifier';
import type { JwksServer } from './jwks-server';
import { verifierOptions } from './verifier-options';

export const CLIENT_ID = 'testclient0000000000000001';

/**
 * A clock the caches read; tests move it forward instead of sleeping. It stands still between
 * moves: real time passing (a busy machine) must not change what a test reads off it.
 */
export class TestClock {
  offsetMs = 0;
  readonly #start = Date.now();
  readonly now = (): number => this.#start + this.offsetMs;
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface TestApp {
  app: Express;
  logs: LogCapture;
  clock: TestClock;
  lifecycle: Lifecycle;
}

/**
 * The real app with a real verifier, against a JWKS served by the test, with the production
 * defaults (refetch interval 30 s, JWKS max age 300 s, stale-if-error 3600 s, skew 30 s).
 * Revocation checks are off unless a check is given.
 */
export async function startTestApp(
  jwks: JwksServer,
  overrides: Partial<TokenVerifierOptions> = {},
  revocations: RevocationCheck = RevocationCheck.off(),
): Promise<TestApp> {
  const logs = new LogCapture();
  const logger = createLogger({ name: 'resource-server', level: 'debug', destination: logs });
  const clock = new TestClock();
  const verifier = new TokenVerifier(
    verifierOptions(
      {
        issuer: jwks.issuer,
        clientIds: [CLIENT_ID],
        source: httpJwksSource({ url: jwks.jwksUrl, allowInsecureHttp: true, timeoutMs: 2000 }),
      },
      { logger, now: clock.now, ...overrides },
    ),
  );
  await verifier.load();
  const lifecycle = new Lifecycle();
  const app = buildApp({ verifier, revocations, logger, lifecycle, stage: 'v1' });
  return { app, logs, clock, lifecycle };
}
