import { createServer, type Server } from 'node:net';
import { getFreePort } from '../../src/testing';

const listen = (port: number): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

describe('getFreePort', () => {
  it('gives ports below the kernel’s ephemeral range, a different one each call, each free', async () => {
    const ports = [];
    for (let i = 0; i < 20; i += 1) ports.push(await getFreePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(15_000);
      expect(port).toBeLessThan(32_768);
    }
    const server = await listen(ports[0] as number);
    await new Promise((resolve) => server.close(resolve));
  });

  it('passes over a port something already listens on', async () => {
    const taken = await getFreePort();
    const server = await listen(taken + 1);
    try {
      const next = await getFreePort();
      expect(next).not.toBe(taken + 1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
