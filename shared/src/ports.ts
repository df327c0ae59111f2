import { createServer } from 'node:net';

/**
 * Whether something may listen on `host`:`port` now: a listen that is closed at once. False
 * when the port is taken (EADDRINUSE) or not ours to take (EACCES); any other error rejects.
 */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
