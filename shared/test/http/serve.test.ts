import { connect } from 'node:net';
import express from 'express';
import { createLogger, Lifecycle, requestContext, serve } from '../../src';
import { LogCapture, parseRawHttpResponse, rawHttpExchange } from '../../src/testing';

/** A served app whose `/slow` answers only when `releaseSlow()` is called. */
async function startDrainTestServer() {
  const lifecycle = new Lifecycle();
  let release: () => void = () => undefined;
  let slowStarted: () => void = () => undefined;
  const slowReached = new Promise<void>((resolve) => {
    slowStarted = resolve;
  });
  const app = express();
  app.get('/readyz', (_req, res) => {
    res.status(lifecycle.shuttingDown ? 503 : 200).json({ ready: !lifecycle.shuttingDown });
  });
  app.get('/slow', async (_req, res) => {
    await new Promise<void>((resolve) => {
      release = resolve;
      slowStarted();
    });
    res.json({ done: true });
  });
  const running = await serve(app, {
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ name: 'test', destination: new LogCapture() }),
    lifecycle,
    exitOnShutdown: false,
  });
  return { lifecycle, running, slowReached, releaseSlow: () => release() };
}

describe('serve', () => {
  it('turns readiness off at once and lets an in-flight request finish on shutdown', async () => {
    const { lifecycle, running, releaseSlow } = await startDrainTestServer();

    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    const inFlight = fetch(`${running.url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = running.shutdown();
    expect(lifecycle.shuttingDown).toBe(true);
    releaseSlow();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await closed;
    await expect(fetch(`${running.url}/readyz`)).rejects.toThrow();
  });

  it('answers a request that arrives during the drain, with Connection: close', async () => {
    const { running, slowReached, releaseSlow } = await startDrainTestServer();
    // A second request on a busy kept-alive connection, sent once the drain has begun: the
    // connection is not idle, so it is still open to read it.
    const socket = connect(running.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
    });
    const ended = new Promise((resolve) => socket.once('close', resolve));
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await slowReached;
    const closed = running.shutdown();
    socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n');
    // Loopback delivers the second request to the server well within this (also on a busy machine).
    await new Promise((resolve) => setTimeout(resolve, 250));
    releaseSlow();
    await ended;
    await closed;
    const responses = received.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(responses[1]).toMatch(/^HTTP\/1\.1 503 /);
    expect(responses[1]).toMatch(/\r\nConnection: close\r\n/i);
    expect(responses[1]).toContain('{"ready":false}');
  });
});

/** A served app with a JSON echo route and a route that answers only after `answerAfterMs`. */
async function startDeadlineTestServer(requestTimeoutMs: number, answerAfterMs = 0) {
  const logs = new LogCapture();
  const logger = createLogger({ name: 'test', destination: logs });
  const app = express();
  app.use(requestContext(logger));
  app.use(express.json());
  app.post('/echo', (req, res) => {
    res.json({ received: req.body as unknown });
  });
  app.get('/late', async (_req, res) => {
    await new Promise((resolve) => setTimeout(resolve, answerAfterMs));
    res.json({ late: true });
  });
  const running = await serve(app, {
    host: '127.0.0.1',
    port: 0,
    logger,
    lifecycle: new Lifecycle(),
    exitOnShutdown: false,
    requestTimeoutMs,
  });
  return { running, logs };
}

describe('serve: request deadline', () => {
  const DEADLINE_MS = 1_000;

  it('answers a body that stalls after its headers with a JSON 408 and closes the connection', async () => {
    const { running, logs } = await startDeadlineTestServer(DEADLINE_MS);
    try {
      const raw = await rawHttpExchange(running.port, [
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          'Content-Length: 1000\r\nX-Request-Id: stalled-body-1\r\n\r\n{"a":',
      ]);
      const { statusLine, headers, body } = parseRawHttpResponse(raw);
      expect(statusLine).toBe('HTTP/1.1 408 Request Timeout');
      expect(headers['content-type']).toMatch(/^application\/json/);
      expect(headers.connection).toBe('close');
      expect(JSON.parse(body)).toEqual({
        error: {
          code: 'request_timeout',
          message: expect.stringMatching(/did not arrive in time/) as string,
          requestId: 'stalled-body-1',
        },
      });
      expect(logs.records()).toContainEqual(
        expect.objectContaining({ msg: 'request cut short', status: 408 }),
      );
    } finally {
      await running.shutdown();
    }
  }, 20_000);

  it('answers headers that never finish with a JSON 408 carrying a fresh request id', async () => {
    const { running } = await startDeadlineTestServer(DEADLINE_MS);
    try {
      const raw = await rawHttpExchange(running.port, [
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Ty',
      ]);
      const { statusLine, body } = parseRawHttpResponse(raw);
      expect(statusLine).toBe('HTTP/1.1 408 Request Timeout');
      const parsed = JSON.parse(body) as { error: { code: string; requestId: string } };
      expect(parsed.error.code).toBe('request_timeout');
      expect(parsed.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await running.shutdown();
    }
  }, 20_000);

  it('answers a request that is not HTTP with a JSON 400', async () => {
    const { running } = await startDeadlineTestServer(DEADLINE_MS);
    try {
      const raw = await rawHttpExchange(running.port, ['NOT HTTP AT ALL\r\n\r\n']);
      const { statusLine, body } = parseRawHttpResponse(raw);
      expect(statusLine).toBe('HTTP/1.1 400 Bad Request');
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'bad_request' } });
    } finally {
      await running.shutdown();
    }
  }, 20_000);

  it('serves a slow but complete request that arrives within the deadline', async () => {
    const { running } = await startDeadlineTestServer(3_000);
    try {
      const body = '{"hello":"world"}';
      const raw = await rawHttpExchange(
        running.port,
        [
          'POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n',
          `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
          body.slice(0, 5),
          body.slice(5),
        ],
        100,
      );
      const response = parseRawHttpResponse(raw);
      expect(response.statusLine).toBe('HTTP/1.1 200 OK');
      expect(JSON.parse(response.body)).toEqual({ received: { hello: 'world' } });
    } finally {
      await running.shutdown();
    }
  }, 20_000);

  it('does not count the time a kept-alive connection idles between requests', async () => {
    const { running } = await startDeadlineTestServer(DEADLINE_MS);
    try {
      // A load balancer keeps connections open for up to a minute between requests.
      const raw = await rawHttpExchange(
        running.port,
        [
          'GET /late HTTP/1.1\r\nHost: x\r\n\r\n',
          'GET /late HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        ],
        DEADLINE_MS * 2.5,
      );
      expect(raw.match(/HTTP\/1\.1 \d+ [^\r]*/g)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    } finally {
      await running.shutdown();
    }
  }, 20_000);

  it('never bounds how long the app takes to answer a request that has arrived', async () => {
    const { running } = await startDeadlineTestServer(DEADLINE_MS, 2_500);
    try {
      const response = await fetch(`${running.url}/late`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ late: true });
    } finally {
      await running.shutdown();
    }
  }, 20_000);
});
