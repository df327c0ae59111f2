import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RawHttpResponse {
  /** e.g. `HTTP/1.1 408 Request Timeout`. */
  statusLine: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes `parts` to a fresh TCP connection, pausing `pauseMs` between them, and resolves with
 * everything the server sent once it closes the connection: for requests no HTTP client would
 * send, such as a body that stops short of its Content-Length or headers that never end.
 */
export async function rawHttpExchange(
  port: number,
  parts: readonly string[],
  pauseMs = 0,
): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => {
    received += chunk;
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  for (const [index, part] of parts.entries()) {
    if (index > 0) await sleep(pauseMs);
    socket.write(part);
  }
  await closed;
  return received;
}

/** Splits one raw HTTP/1.1 response (as `rawHttpExchange` returns it) into its parts. */
export function parseRawHttpResponse(raw: string): RawHttpResponse {
  const split = raw.indexOf('\r\n\r\n');
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? '' : raw.slice(split + 4);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { statusLine, headers, body };
}
