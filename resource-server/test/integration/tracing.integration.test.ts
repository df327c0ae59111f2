import { randomBytes, randomUUID } from 'node:crypto';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createConfirmedUser } from '@authstack/local-pool';
import {
  createTestUserPool,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import { freshStateDatabase, type FreshStateDatabase } from '@authstack/shared/testing';
import {
  SPAN_KIND,
  requestLogLine,
  startOtlpSink,
  type OtlpSink,
} from '../../../scripts/testing/otlp-sink';
import { startResourceServer, type ServerProcess } from '../../../scripts/testing/servers';

/**
 * Traces of the built resource-server, started as in production (server.ts imports the
 * tracing first), with a state store (revocation checks on) and an OTLP endpoint: a sink in
 * this test. The batch delay is ten minutes, so every span the sink gets was flushed by the
 * shutdown on SIGTERM.
 */
const PASSWORD = 'Tracing-Passw0rd!';

let localPool: SharedLocalPool;
let userPool: TestUserPool;
let stateDb: FreshStateDatabase;
let sink: OtlpSink;
let server: ServerProcess;
let idToken: string;

beforeAll(async () => {
  [localPool, stateDb, sink] = await Promise.all([
    sharedLocalPool(),
    freshStateDatabase({ migrate: true }),
    startOtlpSink({ keep: true }),
  ]);
  userPool = await createTestUserPool(localPool);
  const email = `tracing.${process.pid}.${Date.now()}@example.com`;
  await createConfirmedUser(localPool.client, userPool.userPoolId, { email, password: PASSWORD });
  const { AuthenticationResult: result } = await localPool.client.send(
    new InitiateAuthCommand({
      ClientId: userPool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD },
    }),
  );
  idToken = result?.IdToken ?? '';
  server = await startResourceServer({
    poolEndpoint: localPool.endpoint,
    userPool,
    stateDatabaseUrl: stateDb.url,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    },
  });
});

afterAll(async () => {
  await server?.stop('SIGKILL');
  await Promise.all([sink?.stop(), stateDb?.stop(), localPool?.stop()]);
});

describe('tracing of the resource-server process (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  it("continues the caller's trace on a protected call, names its server span in the request's log line, keeps the token out and exports on SIGTERM", async () => {
    const callerTraceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const requestId = randomUUID();
    const protectedCall = await fetch(`${server.api}/users/me`, {
      headers: {
        authorization: `Bearer ${idToken}`,
        traceparent: `00-${callerTraceId}-${callerSpanId}-01`,
        'x-request-id': requestId,
      },
    });
    expect(protectedCall.status).toBe(200);
    expect(await protectedCall.json()).toMatchObject({ tokenUse: 'id' });
    const [header, payload] = idToken.split('.');
    const forged = `${header}.${payload}.${randomBytes(256).toString('base64url')}`;
    const refused = await fetch(`${server.api}/users/me`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(refused.status).toBe(401);

    const line = await requestLogLine(() => server.process.stdoutLines(), requestId);
    expect(line.trace_id).toBe(callerTraceId);
    expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(sink.spans()).toEqual([]);

    await server.stop('SIGTERM');
    expect(await server.process.exited).toBe(0);

    const spans = sink.spans();
    const trace = spans.filter((span) => span.traceId === callerTraceId);
    expect(trace).toContainEqual(
      expect.objectContaining({
        kind: SPAN_KIND.server,
        spanId: line.span_id,
        parentSpanId: callerSpanId,
        attributes: expect.objectContaining({
          'http.route': '/v1/api/users/me',
          'http.response.status_code': 200,
        }) as unknown,
        resource: expect.objectContaining({ 'service.name': 'resource-server' }) as unknown,
      }),
    );
    expect(
      trace.filter((span) => span.scope === '@opentelemetry/instrumentation-express').length,
    ).toBeGreaterThan(0);
    expect(spans).toContainEqual(
      expect.objectContaining({
        kind: SPAN_KIND.server,
        attributes: expect.objectContaining({ 'http.response.status_code': 401 }) as unknown,
      }),
    );
    const exported = sink.raw();
    for (const secret of [
      idToken,
      idToken.split('.')[2] ?? idToken,
      forged.split('.')[2] ?? forged,
    ]) {
      expect(exported).not.toContain(secret);
    }
    // The revocation copy's polling of the state store and the readiness probes: no spans.
    expect(spans.filter((span) => span.scope === '@opentelemetry/instrumentation-pg')).toEqual([]);
    expect(spans.map((span) => span.attributes['url.path'])).not.toContain('/readyz');
  });
});
