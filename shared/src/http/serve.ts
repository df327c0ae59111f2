import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../config';
import { onSupervisorGone } from '../supervision';
import type { ErrorBody } from './error-handler';

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
  /**
   * Deadline for receiving a whole request, headers included (`REQUEST_TIMEOUT_MS`): a client
   * that stalls past it gets a JSON 408 `request_timeout` and the connection is closed.
   * Default 10 s. Only receiving is bounded, never the time the app takes to answer.
   */
  requestTimeoutMs?: number;
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

/** The answers written straight to the socket for a request that never reached the app. */
const CLIENT_ERRORS: Record<
  string,
  { status: number; reason: string; code: string; message: string }
> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    code: 'request_timeout',
    message: 'The request did not arrive in time; send it again.',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    code: 'headers_too_large',
    message: 'The request headers are larger than allowed.',
  },
};
const MALFORMED = {
  status: 400,
  reason: 'Bad Request',
  code: 'bad_request',
  message: 'The request is not valid HTTP.',
};

/** A socket as Node's HTTP server hands it to 'clientError': the response it is serving, if any. */
type ServerSocket = Duplex & { _httpMessage?: ServerResponse | null };

/**
 * Answers a request Node's parser gave up on (deadline passed, malformed, headers too large)
 * in the house error shape, when no response has started on the connection, then closes it.
 * Node's own answer would have no body.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: ServerSocket, logger: Logger) {
  // The client went away: nobody to answer, nothing to report.
  if (error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const response = socket._httpMessage;
  const answer = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
  const header = response?.getHeader('x-request-id');
  const requestId = typeof header === 'string' ? header : randomUUID();
  logger.warn({ requestId, status: answer.status, reason: error.code }, 'request cut short');
  if (socket.writable && !response?.headersSent) {
    const body: ErrorBody = {
      error: { code: answer.code, message: answer.message, requestId },
    };
    const text = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(text)}\r\n` +
        'Cache-Control: no-store\r\n' +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        text,
    );
  }
  socket.destroy();
}

/**
 * For a `serve()` that rejected: one fatal line naming the port when it is taken (else
 * "cannot listen"), flushed, and exit code 1 once the caller has released what it holds.
 */
export function reportListenFailure(
  logger: Logger,
  error: unknown,
  where: { host: string; port: number },
): void {
  const code = (error as NodeJS.ErrnoException).code;
  logger.fatal(
    { code, ...where },
    code === 'EADDRINUSE' ? `port ${where.port} is already in use` : 'cannot listen',
  );
  logger.flush();
  process.exitCode = 1;
}

/**
 * Listens with keep-alive timeouts above a load balancer's 60 s idle timeout, cuts requests
 * that do not arrive within `requestTimeoutMs` (JSON 408), and installs a SIGTERM/SIGINT
 * handler that drains in-flight requests and exits 0.
 */
export async function serve(app: Express, options: ServeOptions): Promise<RunningServer> {
  const { logger, lifecycle } = options;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 8_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node checks both deadlines only on this interval (30 s by default): check often enough that
  // a request is cut soon after its deadline.
  const server = createServer(
    {
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeoutMs / 4))),
    },
    app,
  );
  server.keepAliveTimeout = 65_000;
  // Both start when a request's first byte arrives, not while a kept-alive connection idles.
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = requestTimeoutMs;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: ServerSocket) =>
    answerClientError(error, socket, logger),
  );

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
