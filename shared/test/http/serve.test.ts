import { connect } from 'node:net';
import express from 'express';
import { createLogger, Lifecycle, serve } from '../../src';
import { LogCapture } from '../../src/testing';

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
