import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestKey } from './tokens';

/**
 * A user pool's JWKS endpoint that a test controls: which keys it publishes, whether it
 * answers, how long it takes, and how many requests it received. Any other path is
 * counted too (e.g. a `jku` URL pointed at it) and answered 404.
 */
export class JwksServer {
  readonly poolId: string;
  readonly requests: string[] = [];
  keys: TestKey[];
  /** When false, every request is answered 503. */
  up = true;
  /** Delay before answering, in ms. */
  delayMs = 0;
  #server: Server | undefined;
  #url = '';

  constructor(keys: TestKey[], poolId = 'us-east-1_TestPool1') {
    this.keys = keys;
    this.poolId = poolId;
  }

  get issuer(): string {
    return `${this.#url}/${this.poolId}`;
  }

  get jwksUrl(): string {
    return `${this.issuer}/.well-known/jwks.json`;
  }

  get origin(): string {
    return this.#url;
  }

  /** Requests for the JWKS itself. */
  get jwksFetches(): number {
    return this.requests.filter((path) => path === `/${this.poolId}/.well-known/jwks.json`).length;
  }

  async start(): Promise<this> {
    this.#server = createServer((req: IncomingMessage, res) => {
      this.requests.push(req.url ?? '');
      setTimeout(() => {
        if (req.url !== `/${this.poolId}/.well-known/jwks.json`) {
          res.writeHead(404).end();
        } else if (!this.up) {
          res.writeHead(503).end();
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ keys: this.keys.map((key) => key.publicJwk) }));
        }
      }, this.delayMs);
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
