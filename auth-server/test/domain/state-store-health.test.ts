import { createLogger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { StateStoreHealth } from '../../src/domain/state-store-health';

const DOWN = 'state store unavailable; rate limits count per process until it answers';
const UP = 'state store answers again; rate limits count in the shared store again';

/** A store whose `SELECT 1` answers while `up` is true, and counts its queries. */
function fakeStore() {
  const store = {
    up: true,
    queries: 0,
    query: async () => {
      store.queries += 1;
      if (!store.up) {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), {
          code: 'ECONNREFUSED',
        });
      }
      return { rows: [{ '?column?': 1 }] };
    },
  };
  return store;
}

function setUp(ttlMs = 1_000) {
  let now = 0;
  const logs = new LogCapture();
  const logger = createLogger({ name: 'auth-server', destination: logs });
  const store = fakeStore();
  const health = new StateStoreHealth(store, logger, { ttlMs, now: () => now });
  return {
    store,
    health,
    logs,
    advance: (ms: number) => {
      now += ms;
    },
    lines: (msg: string) => logs.records().filter((record) => record.msg === msg),
  };
}

describe('StateStoreHealth', () => {
  it('is "not configured" without a store, and the limits never query one', async () => {
    const logs = new LogCapture();
    const health = new StateStoreHealth(
      undefined,
      createLogger({ name: 'auth-server', destination: logs }),
    );
    await expect(health.check()).resolves.toBe('not configured');
    expect(health.useStore()).toBe(false);
    expect(logs.lines).toEqual([]);
  });

  it('probes with SELECT 1 at most once per ttl, and concurrent checks share one probe', async () => {
    const { store, health, advance } = setUp();
    const states = await Promise.all([health.check(), health.check(), health.check()]);
    expect(states).toEqual(['ok', 'ok', 'ok']);
    expect(store.queries).toBe(1);
    advance(999);
    await health.check();
    expect(store.queries).toBe(1);
    advance(1);
    await health.check();
    expect(store.queries).toBe(2);
  });

  it('goes down on a failed query of the limits and warns once per outage, with no secret in the line', async () => {
    const { health, lines, logs } = setUp();
    expect(health.useStore()).toBe(true);
    health.reportFailure(Object.assign(new Error('Connection terminated'), { code: '57P01' }));
    health.reportFailure(new Error('Connection terminated'));
    expect(health.state).toBe('unavailable');
    await expect(health.check()).resolves.toBe('unavailable');
    expect(lines(DOWN)).toEqual([
      expect.objectContaining({
        level: 'warn',
        stateStore: 'unavailable',
        rateLimits: 'per-process fallback',
        errorMessage: 'Connection terminated',
        errorCode: '57P01',
      }),
    ]);
    expect(logs.text()).not.toMatch(/postgres:\/\//);
  });

  it('while down, the limits skip the store and start at most one probe per ttl; a probe that answers brings it back', async () => {
    const { store, health, advance, lines } = setUp();
    store.up = false;
    await expect(health.check()).resolves.toBe('unavailable');
    expect(store.queries).toBe(1);

    expect(health.useStore()).toBe(false);
    expect(health.useStore()).toBe(false);
    expect(store.queries).toBe(1);

    store.up = true;
    advance(1_000);
    expect(health.useStore()).toBe(false);
    await health.check();
    expect(store.queries).toBe(2);
    expect(health.state).toBe('ok');
    expect(health.useStore()).toBe(true);
    expect(lines(DOWN)).toHaveLength(1);
    expect(lines(UP)).toEqual([
      expect.objectContaining({
        level: 'info',
        stateStore: 'ok',
        rateLimits: 'shared',
        downForMs: 1_000,
      }),
    ]);
  });

  it('logs nothing while the store simply answers', async () => {
    const { health, advance, logs } = setUp();
    await health.check();
    advance(5_000);
    await health.check();
    expect(logs.lines).toEqual([]);
  });
});
