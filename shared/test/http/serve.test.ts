import express from 'express';
import { createLogger, Lifecycle, serve } from '../../src';
import { LogCapture } from '../../src/testing';

describe('serve', () => {
  it('turns readiness off at once and lets an in-flight request finish on shutdown', async () => {
    const lifecycle = new Lifecycle();
    let releaseSlow: () => void = () => undefined;
    const app = express();
    app.get('/readyz', (_req, res) => {
      res.status(lifecycle.shuttingDown ? 503 : 200).end();
    });
    app.get('/slow', async (_req, res) => {
      await new Promise<void>((resolve) => {
        releaseSlow = resolve;
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
});
