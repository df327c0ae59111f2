import { createLogger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { LimitCounter } from '../../src/domain/limit-counter';
import { StateStoreHealth } from '../../src/domain/state-store-health';

interface Query {
  name?: string;
  text: string;
  values?: unknown[];
}

/**
 * Answers rate-limiter-flexible's queries for one key as PostgreSQL would within one
 * window (no expiry), and fails every query while `up` is false.
 */
function fakeStore() {
  const store = {
    up: true,
    points: 0,
    queries: [] as string[],
    query: async (query: Query | string) => {
      const text = typeof query === 'string' ? query : query.text;
      store.queries.push(text.trim().split(/\s+/)[0] ?? '');
      if (!store.up) throw new Error('connect ECONNREFUSED 127.0.0.1:5433');
      if (/^\s*INSERT/.test(text)) store.points += 1;
      const expire = Date.now() + 60_000;
      const rowCount = store.points > 0 ? 1 : 0;
      return { rowCount, rows: rowCount ? [{ points: store.points, expire }] : [] };
    },
  };
  return store;
}

function setUp(withStore = true) {
  const logs = new LogCapture();
  const logger = createLogger({ name: 'auth-server', destination: logs });
  const store = fakeStore();
  const db = withStore ? store : undefined;
  const health = new StateStoreHealth(db, logger);
  const counter = new LimitCounter({
    name: 'signin_email',
    limit: 3,
    windowMs: 60_000,
    db,
    health,
  });
  return { store, health, counter, logs };
}

describe('LimitCounter', () => {
  it('counts in the shared store while it answers', async () => {
    const { store, counter } = setUp();
    await expect(counter.peek('k')).resolves.toMatchObject({ count: 0, countedIn: 'shared' });
    await counter.add('k');
    const usage = await counter.add('k');
    expect(usage).toMatchObject({ count: 2, countedIn: 'shared' });
    expect(usage.msBeforeReset).toBeGreaterThan(59_000);
    expect(store.queries).toEqual(['SELECT', 'INSERT', 'INSERT']);
  });

  it('counts per process when no store is configured', async () => {
    const { counter } = setUp(false);
    await counter.add('k');
    await expect(counter.peek('k')).resolves.toMatchObject({ count: 1, countedIn: 'per-process' });
    await expect(counter.peek('other')).resolves.toEqual({
      count: 0,
      msBeforeReset: 0,
      countedIn: 'per-process',
    });
  });

  it("falls back to this process's count when the store fails, never throwing, and stops asking it", async () => {
    const { store, health, counter } = setUp();
    await counter.add('k');
    await counter.add('k');
    store.up = false;
    await expect(counter.peek('k')).resolves.toMatchObject({ count: 2, countedIn: 'per-process' });
    expect(health.state).toBe('unavailable');
    const queriesWhenDown = store.queries.length;
    await expect(counter.add('k')).resolves.toMatchObject({ count: 3, countedIn: 'per-process' });
    await expect(counter.peek('k')).resolves.toMatchObject({ count: 3, countedIn: 'per-process' });
    // Within the probe's ttl nothing at all goes to a store known to be down.
    expect(store.queries.slice(queriesWhenDown)).toEqual([]);
  });
});
