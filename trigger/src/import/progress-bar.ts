import { SingleBar } from 'cli-progress';
import type { ImportCounts, ImportProgressView } from './run-import';

/**
 * The progress bar (cli-progress) on stderr: users read, uploaded and imported, the import
 * rate and the time left. On a terminal it redraws in place; anywhere else (a pipe, a CI
 * log) it prints one line a second, so progress is visible there too.
 */
export class ProgressBar implements ImportProgressView {
  readonly #stream: NodeJS.WriteStream;
  readonly #bar: SingleBar;
  readonly #startedAt = performance.now();
  #importedAtStart: number | undefined;
  #running = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#bar = new SingleBar({
      stream,
      format:
        '{bar} {percentage}% | read {read} | uploaded {uploaded} | imported {imported} | {rate}/s | ETA {eta_formatted}',
      barsize: 24,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      etaBuffer: 50,
      etaAsynchronousUpdate: true,
      gracefulExit: false,
    });
  }

  start(counts: ImportCounts): void {
    this.#importedAtStart = counts.imported;
    this.#running = true;
    this.#bar.start(Math.max(counts.done, 1), counts.done, this.#payload(counts));
  }

  total(users: number): void {
    this.#bar.setTotal(Math.max(users, this.#bar.getTotal()));
  }

  update(counts: ImportCounts): void {
    if (!this.#running) return;
    if (counts.done > this.#bar.getTotal()) this.#bar.setTotal(counts.done);
    this.#bar.update(counts.done, this.#payload(counts));
  }

  note(message: string): void {
    if (this.#running) return;
    this.#stream.write(`${message}\n`);
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#bar.stop();
  }

  #payload(counts: ImportCounts) {
    const seconds = (performance.now() - this.#startedAt) / 1000;
    const imported = counts.imported - (this.#importedAtStart ?? counts.imported);
    return {
      read: counts.read,
      uploaded: counts.uploaded,
      imported: counts.imported,
      rate: seconds > 0 ? Math.round(imported / seconds) : 0,
    };
  }
}
