/** A problem the operator must fix; the message says what and how. The CLI prints it and exits 1. */
export class ImportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImportError';
  }
}
