import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HttpLegacyUserSource,
  LegacyAuthEndpointError,
} from '../../src/adapters/http-legacy-user-source';

/** A legacy lookup endpoint: `POST {email}` → 200 profile | 404, or a fault. */
function lookupEndpoint(received: Record<string, unknown>[]): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      received.push(body);
      const reply = (status: number, payload?: unknown) =>
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(payload === undefined ? '' : JSON.stringify(payload));
      if (req.url === '/broken') reply(503);
      else if (body.email === 'legacy@example.com') reply(200, { email: 'legacy@example.com' });
      else reply(404);
    });
  });
}

describe('HttpLegacyUserSource.holdsAccount (the PreSignUp check)', () => {
  const received: Record<string, unknown>[] = [];
  let server: Server;
  let base: string;
  const never = new AbortController().signal;
  const source = (lookupPath?: string) =>
    new HttpLegacyUserSource({
      authUrl: `${base}/login`,
      ...(lookupPath ? { lookupUrl: `${base}${lookupPath}` } : {}),
      timeoutMs: 1_000,
    });

  beforeAll(async () => {
    server = lookupEndpoint(received);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => received.splice(0));

  it('asks the lookup endpoint with the address alone: 200 is held, 404 is not', async () => {
    await expect(source('/lookup').holdsAccount('legacy@example.com', never)).resolves.toBe(true);
    await expect(source('/lookup').holdsAccount('nobody@example.com', never)).resolves.toBe(false);
    expect(received).toEqual([{ email: 'legacy@example.com' }, { email: 'nobody@example.com' }]);
  });

  it('fails on a fault of the endpoint', async () => {
    await expect(source('/broken').holdsAccount('legacy@example.com', never)).rejects.toThrow(
      /answered 503/,
    );
  });

  it('fails without LEGACY_LOOKUP_URL, asking nobody: it cannot tell who is known', async () => {
    await expect(source().holdsAccount('legacy@example.com', never)).rejects.toBeInstanceOf(
      LegacyAuthEndpointError,
    );
    expect(received).toEqual([]);
  });
});
