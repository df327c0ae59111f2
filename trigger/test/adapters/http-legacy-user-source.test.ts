import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpLegacyUserSource } from '../../src/adapters/http-legacy-user-source';

interface Received {
  path: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

const PROFILE = { email: 'legacy@example.com', name: 'Legacy User', emailVerified: true };

/** A small legacy login endpoint, with routes for each answer the adapter must handle. */
function legacyEndpoint(received: Received[]): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      const reply = (status: number, payload?: unknown) => {
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(payload === undefined ? '' : JSON.stringify(payload));
      };
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/list') {
        // Three users, pages of `limit`, the cursor is the index of the next one.
        const all = [
          PROFILE,
          { email: 'b@example.com' },
          { email: 'c@example.com', disabled: true },
        ];
        const from = Number(url.searchParams.get('after') ?? 0);
        const limit = Number(url.searchParams.get('limit'));
        const next = from + limit < all.length ? String(from + limit) : null;
        reply(200, { users: all.slice(from, from + limit), next, total: all.length });
        return;
      }
      switch (url.pathname) {
        case '/login':
          if (body.email === 'legacy@example.com' && body.password === 'Legacy-Passw0rd!')
            reply(200, PROFILE);
          else if (body.email === 'legacy@example.com') reply(401, { error: 'bad password' });
          else reply(404, { error: 'no such user' });
          return;
        case '/lookup':
          if (body.email === 'legacy@example.com' && body.password === undefined)
            reply(200, PROFILE);
          else reply(404);
          return;
        case '/broken':
          reply(500, { error: 'database is down' });
          return;
        case '/nonsense':
          reply(200, { ok: true });
          return;
        case '/not-json':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
          return;
        case '/redirect':
          res.writeHead(302, { location: '/login' }).end();
          return;
        case '/slow':
          setTimeout(() => reply(200, PROFILE), 2_000).unref();
          return;
        default:
          reply(418);
      }
    });
  });
}

describe('HttpLegacyUserSource', () => {
  const received: Received[] = [];
  let server: Server;
  let base: string;
  const never = new AbortController().signal;
  const source = (path: string, extra: { lookupUrl?: string; timeoutMs?: number } = {}) =>
    new HttpLegacyUserSource({
      authUrl: `${base}${path}`,
      timeoutMs: 1_000,
      ...extra,
      ...(extra.lookupUrl ? { lookupUrl: `${base}${extra.lookupUrl}` } : {}),
    });

  beforeAll(async () => {
    server = legacyEndpoint(received);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => received.splice(0));

  it('accepts a 200 with a profile, posting the credentials as JSON in the body', async () => {
    await expect(
      source('/login').authenticate('legacy@example.com', 'Legacy-Passw0rd!', never),
    ).resolves.toEqual({
      ok: true,
      profile: {
        email: 'legacy@example.com',
        name: 'Legacy User',
        emailVerified: true,
        disabled: false,
      },
    });
    expect(received).toEqual([
      {
        path: '/login',
        contentType: 'application/json',
        body: { email: 'legacy@example.com', password: 'Legacy-Passw0rd!' },
      },
    ]);
  });

  it.each([
    ['a wrong password (401)', 'legacy@example.com'],
    ['an unknown user (404)', 'nobody@example.com'],
  ])('treats %s as rejected credentials, not a fault', async (_case, email) => {
    await expect(source('/login').authenticate(email, 'Wrong-Passw0rd!', never)).resolves.toEqual({
      ok: false,
      reason: 'rejected_by_legacy_auth',
    });
  });

  it.each([
    ['a 500', '/broken', /answered 500/],
    ['a 200 without a profile', '/nonsense', /without a valid profile/],
    ['a 200 that is not JSON', '/not-json', /without a valid profile/],
    ['a redirect (credentials are never forwarded)', '/redirect', /fetch failed/],
  ])('fails on %s', async (_case, path, message) => {
    await expect(
      source(path).authenticate('legacy@example.com', 'Legacy-Passw0rd!', never),
    ).rejects.toThrow(message);
    expect(received.map((request) => request.path)).toEqual([path]);
  });

  it('lists every user through LEGACY_LIST_URL, page by page with its cursor, and counts them', async () => {
    const lister = new HttpLegacyUserSource({
      authUrl: `${base}/login`,
      listUrl: `${base}/list`,
      timeoutMs: 1_000,
    });
    const first = await lister.listUsers({ limit: 2 }, never);
    expect(first).toEqual({
      users: [
        { ...PROFILE, disabled: false, rows: 1 },
        { email: 'b@example.com', emailVerified: false, disabled: false, rows: 1 },
      ],
      next: '2',
    });
    const second = await lister.listUsers(
      { limit: 2, after: '2', since: new Date('2024-01-02T00:00:00Z') },
      never,
    );
    expect(second).toEqual({
      users: [{ email: 'c@example.com', emailVerified: false, disabled: true, rows: 1 }],
    });
    expect(received.at(-1)?.path).toBe('/list?limit=2&after=2&since=2024-01-02T00%3A00%3A00.000Z');
    await expect(lister.countUsers(undefined, never)).resolves.toBe(3);
  });

  it('refuses to list without LEGACY_LIST_URL, and treats a page that is not one as a fault', async () => {
    await expect(source('/login').listUsers({ limit: 2 }, never)).rejects.toThrow(
      'LEGACY_LIST_URL is not set',
    );
    const nonsense = new HttpLegacyUserSource({
      authUrl: `${base}/login`,
      listUrl: `${base}/nonsense`,
      timeoutMs: 1_000,
    });
    await expect(nonsense.listUsers({ limit: 2 }, never)).rejects.toThrow('without a valid page');
    const broken = new HttpLegacyUserSource({
      authUrl: `${base}/login`,
      listUrl: `${base}/broken`,
      timeoutMs: 1_000,
    });
    await expect(broken.listUsers({ limit: 2 }, never)).rejects.toThrow('answered 500');
  });

  it('gives up on a slow endpoint after its timeout', async () => {
    await expect(
      source('/slow', { timeoutMs: 100 }).authenticate(
        'legacy@example.com',
        'Legacy-Passw0rd!',
        never,
      ),
    ).rejects.toThrow(/aborted/i);
  });

  it('stops when the trigger’s deadline signal fires', async () => {
    const deadline = new AbortController();
    const attempt = source('/slow').authenticate(
      'legacy@example.com',
      'Legacy-Passw0rd!',
      deadline.signal,
    );
    deadline.abort(new Error('deadline passed'));
    await expect(attempt).rejects.toThrow('deadline passed');
  });

  it('looks users up without a password through LEGACY_LOOKUP_URL', async () => {
    const withLookup = source('/login', { lookupUrl: '/lookup' });
    await expect(withLookup.lookup('legacy@example.com', never)).resolves.toMatchObject({
      name: 'Legacy User',
    });
    await expect(withLookup.lookup('nobody@example.com', never)).resolves.toBeUndefined();
    expect(received.map((request) => request.body)).toEqual([
      { email: 'legacy@example.com' },
      { email: 'nobody@example.com' },
    ]);
  });

  it('finds nobody for the forgot-password flow when no lookup URL is configured', async () => {
    await expect(source('/login').lookup('legacy@example.com', never)).resolves.toBeUndefined();
    expect(received).toEqual([]);
  });

  it('pings (readiness) with a HEAD that carries no credentials: any answer below 500 is reachable', async () => {
    await expect(source('/login').ping(never)).resolves.toBeUndefined();
    await expect(source('/redirect').ping(never)).resolves.toBeUndefined();
    await expect(source('/broken').ping(never)).rejects.toThrow('answered 500');
    expect(received.map(({ path, body }) => ({ path, body }))).toEqual([
      { path: '/login', body: {} },
      { path: '/redirect', body: {} },
      { path: '/broken', body: {} },
    ]);
  });

  it('fails a ping when nothing answers', async () => {
    const closed = new HttpLegacyUserSource({ authUrl: 'http://127.0.0.1:1/', timeoutMs: 500 });
    await expect(closed.ping(never)).rejects.toThrow();
  });
});
