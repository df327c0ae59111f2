import { legacyStoreReachable } from '../../src/domain/legacy-store-call';
import { capturedLogger, FakeLegacyUserSource } from '../support/fakes';

describe('legacyStoreReachable (the invoke server readiness)', () => {
  it('is true while the store answers, and looks nobody up', async () => {
    const users = new FakeLegacyUserSource({});
    const { logger } = capturedLogger();
    await expect(legacyStoreReachable(users, 200, logger)).resolves.toBe(true);
    expect(users.calls).toEqual([{ method: 'ping', email: '' }]);
  });

  it.each(['error', 'hang'] as const)(
    'is false, logged as a store fault, when the store fails (%s)',
    async (fault) => {
      const users = new FakeLegacyUserSource({});
      users.fault = fault;
      const { logger, capture } = capturedLogger();
      await expect(legacyStoreReachable(users, 50, logger)).resolves.toBe(false);
      expect(capture.records()).toContainEqual(
        expect.objectContaining({
          outcome: 'store_unavailable',
          msg: 'legacy user store unavailable',
        }),
      );
      if (fault === 'hang') expect(users.lastSignal?.aborted).toBe(true);
    },
  );
});
