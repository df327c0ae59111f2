import type { Logger } from '@authstack/shared';
import {
  describeExit,
  Service,
  type LineSink,
  type ServiceExit,
  type ServiceSpec,
} from './service';

export interface RestartPolicy {
  /** The wait before the first restart; it doubles with every further failure in a row. */
  initialDelayMs: number;
  /** The longest wait between two restarts. */
  maxDelayMs: number;
  /** A run at least this long ends a series of failures: the next restart waits `initialDelayMs` again. */
  stableAfterMs: number;
  /**
   * Restarts in a row that fail (the service does not become ready, or exits before
   * `stableAfterMs`) before the supervisor gives up.
   */
  maxRestarts: number;
}

/** 0.5 s, 1 s, 2 s, 4 s, 8 s: a service that cannot stay up is given up after about 15 s. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  stableAfterMs: 30_000,
  maxRestarts: 5,
};

/** Why a supervisor gave up: the service's last exit, and how many restarts in a row failed. */
export interface GiveUp {
  exit: ServiceExit;
  restarts: number;
  message: string;
}

/**
 * Keeps one service of the stack running. The first start is the caller's (`start()`
 * rejects as `Service.start` does). From then on, an exit nobody asked for — a crash, a
 * kill, even a clean exit — is logged in one line (which service, how it exited, when it
 * restarts) and the service is started again after a delay that doubles with every failure
 * in a row and resets once a run lasts `stableAfterMs`. After `maxRestarts` failed restarts
 * in a row it gives up: `gaveUp` resolves, and the service stays down.
 */
export class Supervisor {
  readonly name: string;
  readonly gaveUp: Promise<GiveUp>;
  #service: Service | undefined;
  #stopping = false;
  #failures = 0;
  #wake: (() => void) | undefined;
  #giveUp!: (giveUp: GiveUp) => void;

  constructor(
    private readonly spec: ServiceSpec,
    private readonly sink: LineSink,
    private readonly logger: Logger,
    private readonly startTimeoutMs: number,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {
    this.name = spec.name;
    this.gaveUp = new Promise((resolve) => {
      this.#giveUp = resolve;
    });
  }

  /** Whether the service's process is running now (false while it waits for a restart). */
  get running(): boolean {
    return this.#service?.running ?? false;
  }

  /** Starts the service and resolves once it is ready; from then on it is restarted when it dies. */
  async start(): Promise<void> {
    const service = this.#spawn();
    await service.start(this.startTimeoutMs);
    this.#watch(service, Date.now());
  }

  /** From now on the service is not restarted; a restart waiting for its delay is dropped. */
  stopRestarting(): void {
    this.#stopping = true;
    this.#wake?.();
  }

  /** Stops the service (SIGTERM, then SIGKILL) and any restart waiting or under way. */
  async stop(): Promise<ServiceExit | undefined> {
    this.stopRestarting();
    return this.#service?.stop();
  }

  /** SIGKILL, synchronously (for `process.on('exit')`). */
  kill(): void {
    this.#stopping = true;
    this.#service?.kill();
  }

  #spawn(): Service {
    const service = new Service(this.spec, this.sink);
    this.#service = service;
    return service;
  }

  #watch(service: Service, readyAt: number): void {
    void service.exited.then((exit) => {
      if (this.#stopping) return;
      if (Date.now() - readyAt >= this.policy.stableAfterMs) this.#failures = 0;
      void this.#restart(exit, `${this.name} exited (${describeExit(exit)})`);
    });
  }

  /** `what` says what happened, e.g. `local-pool exited (signal SIGKILL)`. */
  async #restart(exit: ServiceExit, what: string): Promise<void> {
    this.#failures += 1;
    const fields = { service: this.name, exitCode: exit.code, signal: exit.signal };
    if (this.#failures > this.policy.maxRestarts) {
      const restarts = this.#failures - 1;
      const message = `${what}, after ${restarts} restarts in a row; giving up`;
      this.logger.error({ ...fields, restarts }, message);
      this.#giveUp({ exit, restarts, message });
      return;
    }
    const delayMs = Math.min(
      this.policy.initialDelayMs * 2 ** (this.#failures - 1),
      this.policy.maxDelayMs,
    );
    this.logger.warn(
      { ...fields, attempt: this.#failures, restartInMs: delayMs },
      `${what}; restarting in ${delayMs} ms`,
    );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = undefined;
    if (this.#stopping) return;

    const service = this.#spawn();
    const started = Date.now();
    try {
      await service.start(this.startTimeoutMs);
    } catch (error) {
      if (this.#stopping) return;
      const exit = await service.exited;
      await this.#restart(exit, `${this.name} failed to start: ${(error as Error).message}`);
      return;
    }
    this.logger.info(
      { service: this.name, attempt: this.#failures, ms: Date.now() - started },
      `${this.name} restarted`,
    );
    this.#watch(service, Date.now());
  }
}
