import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpJwksSource } from '../../src/adapters/http-jwks-source';

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const json = { 'content-type': 'application/json' };
    if (req.url === '/ok')
      res.writeHead(200, json).end('{"keys":[{"kty":"RSA","kid":"k1","n":"AQAB","e":"AQAB"}]}');
    else if (req.url === '/huge')
      res.writeHead(200, json).end(`{"keys":[],"x":"${'a'.repeat(100_000)}"}`);
    else if (req.url === '/not-jwks') res.writeHead(200, json).end('{"keys":"none"}');
    else if (req.url === '/redirect') res.writeHead(302, { location: '/ok' }).end();
    else res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const source = (path: string) =>
  httpJwksSource({ url: `${origin}${path}`, allowInsecureHttp: true, timeoutMs: 2000 });

describe('httpJwksSource', () => {
  it('fetches and validates a JWKS', async () => {
    const jwks = await source('/ok').fetchJwks();
    expect(jwks.keys.map((jwk) => jwk.kid)).toEqual(['k1']);
  });

  it('refuses an http URL unless explicitly allowed', () => {
    expect(() =>
      httpJwksSource({ url: `${origin}/ok`, allowInsecureHttp: false, timeoutMs: 2000 }),
    ).toThrow('https');
  });

  it.each([
    ['an oversized body', '/huge', 'larger than'],
    ['a document that is not a JWKS', '/not-jwks', 'array'],
    ['a redirect', '/redirect', 'fetch failed'],
    ['an error status', '/fail', 'HTTP 500'],
  ])('rejects %s', async (_name, path, message) => {
    await expect(source(path).fetchJwks()).rejects.toThrow(message);
  });
});
