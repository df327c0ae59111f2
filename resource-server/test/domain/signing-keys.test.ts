import type { Jwks } from 'aws-jwt-verify/jwk';
import { createLogger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { SigningKeys, type JwksSource } from '../../src/domain/signing-keys';
import { SigningKeysUnavailableError, TokenRejectedError } from '../../src/domain/token-errors';
import { TestClock } from '../support/test-app';

/** An in-memory JWKS source whose answers the test decides, one pending fetch at a time. */
class ControlledSource implements JwksSource {
  readonly url = 'https://pool.example/jwks.json';
  kids = ['k1'];
  fetches = 0;
  failing = false;
  #release: (() => void) | undefined;
  gate: Promise<void> | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.#release = resolve;
    });
  }
  release(): void {
    this.#release?.();
    this.gate = undefined;
  }
  async fetchJwks(): Promise<Jwks> {
    this.fetches += 1;
    await this.gate;
    if (this.failing) throw new Error('unreachable');
    return { keys: this.kids.map((kid) => ({ kty: 'RSA', kid, n: 'AQAB', e: 'AQAB' })) };
  }
}

function keysWith(source: ControlledSource, clock = new TestClock()) {
  const installed: Jwks[] = [];
  const keys = new SigningKeys({
    source,
    refetchIntervalMs: 30_000,
    maxAgeMs: 300_000,
    staleIfErrorMs: 3_600_000,
    onKeys: (jwks) => installed.push(jwks),
    logger: createLogger({ name: 'test', destination: new LogCapture() }),
    now: clock.now,
  });
  return { keys, clock, installed };
}

describe('SigningKeys', () => {
  it('hands every fetched JWKS to the verifier', async () => {
    const source = new ControlledSource();
    const { keys, installed } = keysWith(source);
    await keys.load();
    expect(installed).toHaveLength(1);
    expect(keys.has('k1')).toBe(true);
  });

  it('shares one fetch among concurrent callers with unknown kids', async () => {
    const source = new ControlledSource();
    const { keys, clock } = keysWith(source);
    await keys.load();
    clock.advance(31);
    source.kids = ['k1', 'k2'];
    source.hold();
    const waiting = ['k2', 'x1', 'x2', 'k2'].map((kid) =>
      keys.require(kid).then(
        () => kid,
        (e: Error) => e,
      ),
    );
    source.release();
    const results = await Promise.all(waiting);
    expect(source.fetches).toBe(2);
    expect(results[0]).toBe('k2');
    expect(results[1]).toBeInstanceOf(TokenRejectedError);
    expect(results[3]).toBe('k2');
  });

  it('answers 503-worthy errors for unknown kids while the JWKS is unreachable', async () => {
    const source = new ControlledSource();
    const { keys, clock } = keysWith(source);
    await keys.load();
    source.failing = true;
    clock.advance(31);
    const error = await keys.require('k9').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigningKeysUnavailableError);
    expect((error as SigningKeysUnavailableError).retryAfterSeconds).toBe(30);
    await expect(keys.require('k1')).resolves.toBeUndefined();
  });

  it('treats a JWKS without keys as a failed fetch', async () => {
    const source = new ControlledSource();
    source.kids = [];
    const { keys, installed } = keysWith(source);
    await expect(keys.load()).rejects.toThrow('no key');
    expect(installed).toHaveLength(0);
    expect(keys.ready).toBe(false);
  });

  it('refuses a refetch interval longer than the max age', () => {
    expect(
      () =>
        new SigningKeys({
          source: new ControlledSource(),
          refetchIntervalMs: 600_000,
          maxAgeMs: 300_000,
          staleIfErrorMs: 0,
          onKeys: () => undefined,
          logger: createLogger({ name: 'test', destination: new LogCapture() }),
        }),
    ).toThrow('max age');
  });
});
