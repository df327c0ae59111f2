import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { onSupervisorGone } from '../supervision';

/** Shared by `/readyz` and the shutdown sequence: turns false the moment SIGTERM arrives. */
export class Lifecycle {
  #shuttingDown = false;
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }
  beginShutdown(): void {
    this.#shuttingDown = true;
  }
}

export interface ServeOptions {
  host: string;
  port: number;
  logger: Logger;
  lifecycle: Lifecycle;
  /** Longest wait for in-flight requests after SIGTERM before exiting anyway. */
  shutdownTimeoutMs?: number;
  /** Runs after the server has closed, e.g. to end database pools. */
  onClose?: () => Promise<void> | void;
  /** Exit the process when shut down (true for real servers, false in tests). */
  exitOnShutdown?: boolean;
}

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  /** Readiness off, stop accepting, let in-flight requests finish, then close. */
  shutdown(): Promise<void>;
}

/**
 * Listens with keep-alive timeouts above a load balancer's 60 s idle timeout and
 * installs a SIGTERM/SIGINT handler that drains in-flight requests and exits 0.
 */
export async function serve(app: Express, options: ServeOptions): Promise<RunningServer> {
  const { logger, lifecycle } = options;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 8_000;
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;

  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    closing ??= (async () => {
      lifecycle.beginShutdown();
      // A request still arriving on a busy kept-alive connection is answered, then that
      // connection closes. Ahead of the app, whose answer may be sent before a later listener.
      server.prependListener('request', (_req, res: ServerResponse) => {
        res.setHeader('Connection', 'close');
      });
      logger.info('shutting down: readiness off, draining in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last response ends; close them then.
      server.closeIdleConnections();
      const sweeper = setInterval(() => server.closeIdleConnections(), 100);
      const timer = setTimeout(() => {
        logger.warn('drain timed out; closing remaining connections');
        server.closeAllConnections();
      }, shutdownTimeoutMs);
      timer.unref();
      await closed;
      clearInterval(sweeper);
      clearTimeout(timer);
      await options.onClose?.();
      logger.info('shut down');
    })();
    return closing;
  };

  if (options.exitOnShutdown ?? true) {
    const stopFor = (reason: string) => {
      logger.info({ reason }, 'stop requested');
      shutdown().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', stopFor);
    process.once('SIGINT', stopFor);
    onSupervisorGone(() => stopFor('supervisor gone'));
  }

  logger.info({ url }, 'listening');
  return { server, url, port, shutdown };
}
