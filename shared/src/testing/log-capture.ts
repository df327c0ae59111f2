import { Writable } from 'node:stream';
import type { DestinationStream } from 'pino';

/** A pino destination that keeps every line, for tests that assert on logs. */
export class LogCapture implements DestinationStream {
  readonly lines: string[] = [];

  write(line: string): void {
    for (const part of line.split('\n')) if (part.length > 0) this.lines.push(part);
  }

  /** Every line parsed as JSON (throws if any line is not JSON). */
  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  text(): string {
    return this.lines.join('\n');
  }

  /** Adapts this capture to a Node writable stream. */
  asStream(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        this.write(chunk.toString('utf8'));
        callback();
      },
    });
  }
}
