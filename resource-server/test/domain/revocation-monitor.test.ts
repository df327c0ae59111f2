import { createLogger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import { RevocationCheck } from '../../src/domain/revocation-check';
import { RevocationMonitor } from '../../src/domain/revocation-monitor';
import { TestRevocationCopy } from '../support/revocation-copy';

function monitored(failOpen: boolean) {
  const copy = new TestRevocationCopy();
  const logs = new LogCapture();
  let now = 1_000_000;
  const monitor = new RevocationMonitor({
    check: new RevocationCheck({ copy, maxStalenessMs: 3000, failOpen }),
    logger: createLogger({ name: 'resource-server', level: 'debug', destination: logs }),
    remindEveryMs: 10_000,
    now: () => now,
  });
  /** Moves time on by `ms`, with the copy `ms` staler, and looks. */
  const after = (ms: number) => {
    now += ms;
    copy.staleness += ms;
    monitor.tick();
  };
  return { copy, logs, monitor, after };
}

describe('RevocationMonitor', () => {
  it('says nothing while the copy is live', () => {
    const { logs, after, copy } = monitored(false);
    for (let i = 0; i < 30; i += 1) {
      after(1000);
      copy.staleness = 0;
    }
    expect(logs.lines).toEqual([]);
  });

  it('logs the refusal at once, reminds every 10 s with the staleness, and logs the recovery', () => {
    const { logs, after, copy } = monitored(false);
    copy.state = 'disconnected';
    after(1000);
    after(1000);
    expect(logs.lines).toEqual([]); // within the bound: the feed has logged the loss itself
    after(2000);
    expect(logs.records()).toEqual([
      expect.objectContaining({
        level: 'error',
        msg: 'revocation list too stale: protected routes answer 503 revocation_unavailable',
        refusing: true,
        stalenessMs: 4000,
        maxStalenessMs: 3000,
        mode: 'fail-closed',
      }),
    ]);
    for (let i = 0; i < 12; i += 1) after(1000);
    const reminders = logs.records().filter((line) => line.level === 'warn');
    expect(reminders).toEqual([
      expect.objectContaining({
        msg: 'revocation list not current: refusing protected requests',
        state: 'disconnected',
        stalenessMs: 10_000,
        downForMs: 10_000,
        refusing: true,
      }),
    ]);

    copy.state = 'live';
    copy.staleness = 0;
    after(0);
    expect(logs.records().at(-1)).toEqual(
      expect.objectContaining({
        level: 'info',
        msg: 'revocation list live again: protected routes served',
        refusing: false,
      }),
    );
    const count = logs.lines.length;
    after(1000);
    expect(logs.lines).toHaveLength(count);
  });

  it('in fail-open mode reminds that it serves from the last copy', () => {
    const { logs, after, copy } = monitored(true);
    copy.state = 'disconnected';
    for (let i = 0; i < 10; i += 1) after(1000);
    expect(logs.records()).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'revocation list not current: serving from the last copy',
        refusing: false,
        mode: 'fail-open',
        stalenessMs: 10_000,
      }),
    ]);
  });
});
