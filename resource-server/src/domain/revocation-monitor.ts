import type { Logger } from '@authstack/shared';
import type { RevocationCheck } from './revocation-check';

export interface RevocationMonitorOptions {
  check: Pick<RevocationCheck, 'refusing' | 'report'>;
  logger: Logger;
  /** While the copy is not live, a reminder of how stale it is this often. */
  remindEveryMs?: number;
  now?: () => number;
}

/**
 * Says in the logs how stale the revocation copy is: at once when requests start being
 * refused for it, every `remindEveryMs` while the feed is not live, and once when it is live
 * again. (The feed itself logs losing the store and each reload.)
 */
export class RevocationMonitor {
  readonly #check: RevocationMonitorOptions['check'];
  readonly #logger: Logger;
  readonly #remindEveryMs: number;
  readonly #now: () => number;
  #refusing = false;
  #downSince: number;
  #lastReminder: number;
  #complained = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RevocationMonitorOptions) {
    this.#check = options.check;
    this.#logger = options.logger;
    this.#remindEveryMs = options.remindEveryMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#downSince = this.#now();
    this.#lastReminder = this.#downSince;
  }

  /** Looks at the copy every `everyMs` until `stop()`. */
  start(everyMs = 1000): void {
    this.#timer = setInterval(() => this.tick(), everyMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  tick(): void {
    const { state, stalenessMs, maxStalenessMs, mode } = this.#check.report();
    const refusing = this.#check.refusing;
    const now = this.#now();
    const fields = { state, stalenessMs, maxStalenessMs, mode, refusing };
    if (refusing && !this.#refusing) {
      this.#logger.error(
        fields,
        'revocation list too stale: protected routes answer 503 revocation_unavailable',
      );
      this.#complained = true;
    }
    this.#refusing = refusing;
    if (state === 'live') {
      if (this.#complained) {
        this.#logger.info(
          { ...fields, downForMs: now - this.#downSince },
          'revocation list live again: protected routes served',
        );
      }
      this.#complained = false;
      this.#downSince = now;
      this.#lastReminder = now;
      return;
    }
    if (now - this.#lastReminder >= this.#remindEveryMs) {
      this.#logger.warn(
        { ...fields, downForMs: now - this.#downSince },
        refusing
          ? 'revocation list not current: refusing protected requests'
          : 'revocation list not current: serving from the last copy',
      );
      this.#lastReminder = now;
      this.#complained = true;
    }
  }
}
