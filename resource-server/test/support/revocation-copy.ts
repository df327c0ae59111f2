import { RevocationList, type FeedState, type FeedStatus } from '@authstack/shared/state-store';
import type { RevocationCopy } from '../../src/domain/revocation-check';

/**
 * A revocation copy a test controls: a real `RevocationList`, and how stale the copy is
 * (Infinity: not loaded yet). Counts `status()` calls, which only `/readyz` should make.
 */
export class TestRevocationCopy implements RevocationCopy {
  readonly list = new RevocationList();
  staleness = 0;
  state: FeedState = 'live';
  statusCalls = 0;

  stalenessMs(): number {
    return this.staleness;
  }

  status(): FeedStatus {
    this.statusCalls += 1;
    const loaded = Number.isFinite(this.staleness);
    return {
      state: this.state,
      stalenessMs: loaded ? this.staleness : null,
      syncedAt: loaded ? new Date(Date.now() - this.staleness) : null,
      revocations: this.list.size,
    };
  }

  /** Revokes every token of `sub` issued before `notBefore` (seconds), as a sign-out does. */
  revokeUser(sub: string, notBefore: number): void {
    this.list.apply({
      kind: 'user',
      subject: sub,
      group: '',
      notBefore,
      expiresAt: notBefore + 3600,
    });
  }

  revokeSession(originJti: string): void {
    const now = Math.floor(Date.now() / 1000);
    this.list.apply({
      kind: 'session',
      subject: originJti,
      group: '',
      notBefore: now,
      expiresAt: now + 3600,
    });
  }

  revokeGroup(sub: string, group: string, notBefore: number): void {
    this.list.apply({ kind: 'group', subject: sub, group, notBefore, expiresAt: notBefore + 3600 });
  }
}
