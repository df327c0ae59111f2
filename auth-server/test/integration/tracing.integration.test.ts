import { randomUUID } from 'node:crypto';
import {
  createTestUserPool,
  readOutbox,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { freshStateDatabase, type FreshStateDatabase } from '@authstack/shared/testing';
import {
  SPAN_KIND,
  requestLogLine,
  startOtlpSink,
  type ExportedSpan,
  type OtlpSink,
} from '../../../scripts/testing/otlp-sink';
import { startAuthServer, type ServerProcess } from '../../../scripts/testing/servers';
import { PASSWORD, markEmailVerified, uniqueEmail } from './harness';

/**
 * Traces of the built auth-server, started as in production (server.ts imports the tracing
 * first) with an OTLP endpoint set: its spans go over OTLP/HTTP (JSON) to a sink in this test,
 * while it serves a real local pool and a real state store.
 */
const WRONG_PASSWORD = 'Not-The-Passw0rd!1';
const NEW_PASSWORD = 'Brand-New-Passw0rd!2';

let pool: SharedLocalPool;
let userPool: TestUserPool;
let db: FreshStateDatabase;
let sink: OtlpSink;
let server: ServerProcess;

beforeAll(async () => {
  [pool, db, sink] = await Promise.all([
    sharedLocalPool(),
    freshStateDatabase({ migrate: true }),
    startOtlpSink({ keep: true }),
  ]);
  userPool = await createTestUserPool(pool);
  server = await startAuthServer({
    poolEndpoint: pool.endpoint,
    userPool,
    stateDatabaseUrl: db.url,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    },
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await Promise.all([sink?.stop(), db?.stop(), pool?.stop()]);
});

interface Sent {
  status: number;
  body: Record<string, unknown>;
  requestId: string;
}

/** One request with its own `X-Request-Id`, to find its log line afterwards. */
async function send(
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<Sent> {
  const requestId = randomUUID();
  const response = await fetch(`${server.api}${path}`, {
    method,
    headers: {
      'x-request-id': requestId,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: response.status, body, requestId };
}

const requestLine = (requestId: string) =>
  requestLogLine(() => server.process.stdoutLines(), requestId);

/** The spans of the request's trace, once its server span (the one its log line names) is exported. */
async function traceOf(requestId: string): Promise<ExportedSpan[]> {
  const line = await requestLine(requestId);
  expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
  expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
  const spans = await sink.waitFor(
    (all) => all.some((span) => span.spanId === line.span_id && span.kind === SPAN_KIND.server),
    `server span of request ${requestId}`,
  );
  return spans.filter((span) => span.traceId === line.trace_id);
}

const fromScope = (spans: ExportedSpan[], name: string) =>
  spans.filter((span) => span.scope === `@opentelemetry/instrumentation-${name}`);

const signUpBody = (email: string) => ({ email, name: 'Traced User', password: PASSWORD });

describe('tracing of the auth-server process (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  it('traces a sign-in: the server span is the one its log line names; Express, the InitiateAuth call and the state store queries are its descendants', async () => {
    const email = uniqueEmail('trace');
    expect((await send('POST', '/user', { body: signUpBody(email) })).status).toBe(201);
    const signIn = await send('POST', '/user/signin', { body: { email, password: PASSWORD } });
    expect(signIn.status).toBe(200);

    const spans = await traceOf(signIn.requestId);
    const line = await requestLine(signIn.requestId);
    const [serverSpan] = spans.filter((span) => span.kind === SPAN_KIND.server);
    expect(serverSpan).toMatchObject({
      spanId: line.span_id,
      parentSpanId: '',
      scope: '@opentelemetry/instrumentation-http',
      attributes: expect.objectContaining({
        'http.request.method': 'POST',
        'http.route': '/v1/api/user/signin',
        'http.response.status_code': 200,
      }) as unknown,
      resource: expect.objectContaining({ 'service.name': 'auth-server' }) as unknown,
    });
    expect(fromScope(spans, 'express').length).toBeGreaterThan(0);
    expect(fromScope(spans, 'aws-sdk')).toContainEqual(
      expect.objectContaining({
        kind: SPAN_KIND.client,
        attributes: expect.objectContaining({
          'rpc.service': 'CognitoIdentityProvider',
          'rpc.method': 'InitiateAuth',
        }) as unknown,
      }),
    );
    expect(fromScope(spans, 'pg').length).toBeGreaterThan(0);
    // One tree: every span but the server span has its parent in the same trace.
    const ids = new Set(spans.map((span) => span.spanId));
    for (const span of spans.filter((each) => each !== serverSpan)) {
      expect(ids.has(span.parentSpanId)).toBe(true);
    }
  });

  it('puts no password, token or code in any span across sign-up, sign-in, a protected call, refresh, password reset and sign-out', async () => {
    const email = uniqueEmail('secrets');
    const secrets: string[] = [PASSWORD, WRONG_PASSWORD, NEW_PASSWORD];
    const remember = (body: Record<string, unknown>) => {
      for (const key of ['accessToken', 'idToken', 'refreshToken']) {
        const token = body[key];
        if (typeof token !== 'string') continue;
        // The token and its signature alone: a token cut short must not slip through either.
        secrets.push(token, token.split('.').at(-1) ?? token);
      }
    };
    const requests: Sent[] = [];
    const sent = async (...args: Parameters<typeof send>) => {
      const answer = await send(...args);
      requests.push(answer);
      return answer;
    };

    const signUp = await sent('POST', '/user', { body: signUpBody(email) });
    expect(signUp.status).toBe(201);
    remember(signUp.body);
    expect(
      (await sent('POST', '/user/signin', { body: { email, password: WRONG_PASSWORD } })).status,
    ).toBe(401);
    const signIn = await sent('POST', '/user/signin', { body: { email, password: PASSWORD } });
    expect(signIn.status).toBe(200);
    remember(signIn.body);
    const accessToken = String(signIn.body.accessToken);
    expect((await sent('GET', '/user/me', { token: accessToken })).status).toBe(200);
    const refreshed = await sent('POST', '/user/token/refresh', {
      body: { refreshToken: signIn.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    remember(refreshed.body);
    // A token in the query string is refused, and its value kept out of the span.
    expect((await sent('GET', `/user/me?access_token=${accessToken}`)).status).toBe(400);

    await markEmailVerified(pool, userPool, email);
    expect((await sent('POST', '/user/password/forgot', { body: { email } })).status).toBe(202);
    const [message] = await readOutbox(pool.endpoint, email);
    expect(message?.code).toMatch(/^\d{6}$/);
    secrets.push(String(message?.code));
    const reset = await sent('POST', '/user/password/reset', {
      body: { email, code: message?.code, newPassword: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);
    const again = await sent('POST', '/user/signin', { body: { email, password: NEW_PASSWORD } });
    expect(again.status).toBe(200);
    remember(again.body);
    expect(
      (await sent('POST', '/user/signout', { token: String(again.body.accessToken) })).status,
    ).toBe(204);

    const traced = await Promise.all(requests.map((request) => traceOf(request.requestId)));
    expect(
      fromScope(traced.flat(), 'aws-sdk').map((span) => span.attributes['rpc.method']),
    ).toEqual(
      expect.arrayContaining([
        'AdminSetUserPassword',
        'InitiateAuth',
        'GetUser',
        'ForgotPassword',
        'ConfirmForgotPassword',
      ]),
    );
    const exported = sink.raw();
    expect(exported.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(exported).not.toContain(secret);
    for (const span of sink.spans()) {
      expect(Object.keys(span.attributes).filter((key) => key.includes('header'))).toEqual([]);
    }
  });

  it('keeps the names of query parameters and none of their values', async () => {
    const code = '918273';
    const asked = await send('GET', `/user/me?code=${code}&email=someone%40example.com`);
    expect(asked.status).toBe(400);
    const [serverSpan] = (await traceOf(asked.requestId)).filter(
      (span) => span.kind === SPAN_KIND.server,
    );
    expect(serverSpan?.attributes['url.query']).toBe('code=REDACTED&email=REDACTED');
    expect(sink.raw()).not.toContain(code);
    expect(sink.raw()).not.toContain('someone');
  });

  it('does not trace the probes or the scrape', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect((await fetch(`${server.base}${path}`)).status).toBe(200);
    }
    // A request after them: once its spans are in, theirs would have been too.
    const after = await send('GET', '/user/me');
    await traceOf(after.requestId);
    const paths = sink.spans().map((span) => span.attributes['url.path']);
    expect(paths).toContain('/v1/api/user/me');
    for (const probe of ['/healthz', '/readyz', '/metrics']) expect(paths).not.toContain(probe);
  });
});
