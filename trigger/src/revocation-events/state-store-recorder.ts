import type { Pool } from 'pg';
import { RevocationStore } from '@authstack/shared/state-store';
import type { RevocationRecorder } from './record-revocation';

/**
 * The shared `RevocationStore`, with its clock set to the moment of each administration
 * call: `notBefore` is the second after the call, and the row is kept as long as a token
 * issued before it can live (`maxTokenLifetimeSeconds`).
 */
export function stateStoreRecorder(
  pool: Pool,
  options: { maxTokenLifetimeSeconds: number },
): RevocationRecorder {
  const storeAt = (at: Date) =>
    new RevocationStore({
      pool,
      maxTokenLifetimeSeconds: options.maxTokenLifetimeSeconds,
      clock: () => at.getTime(),
    });
  return {
    revokeUser: (sub, at) => storeAt(at).revokeUser(sub),
    revokeGroup: (sub, group, at) => storeAt(at).revokeGroup(sub, group),
  };
}
