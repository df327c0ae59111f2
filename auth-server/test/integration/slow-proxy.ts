import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowProxy {
  url: string;
  /** Hold back the answer to the next call of `operation` (e.g. 'InitiateAuth') for `ms`. */
  delayNext(operation: string, ms: number): void;
  /** Resolves when the proxy next receives a call of `operation`. */
  nextCall(operation: string): Promise<void>;
  /** While on, every request is accepted and never answered. */
  stall(on: boolean): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the user pool that can make it slow, for the tests of
 * upstream timeouts and of draining in-flight requests on SIGTERM. It forwards
 * requests unchanged (the Host header included, so SigV4 signatures still match).
 */
export async function startSlowProxy(target: string): Promise<SlowProxy> {
  const upstream = new URL(target);
  const delays = new Map<string, number>();
  let stalled = false;
  const held = new Set<ServerResponse>();
  const waiting = new Map<string, () => void>();

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const operation =
      String(req.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    const delay = delays.get(operation) ?? 0;
    delays.delete(operation);
    waiting.get(operation)?.();
    waiting.delete(operation);
    const proxied = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          setTimeout(() => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(chunks));
          }, delay);
        });
      },
    );
    proxied.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    proxied.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (stalled) {
        held.add(res);
        return;
      }
      forward(req, res, Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    delayNext: (operation, ms) => delays.set(operation, ms),
    nextCall: (operation) => new Promise<void>((resolve) => waiting.set(operation, resolve)),
    stall: (on) => {
      stalled = on;
    },
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
