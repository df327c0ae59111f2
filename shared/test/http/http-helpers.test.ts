import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import {
  createLogger,
  errorHandler,
  HttpError,
  jsonBody,
  notFoundHandler,
  requestContext,
  REDACTED_PATHS,
  validate,
} from '../../src';
import { LogCapture } from '../../src/testing';

function buildTestApp(capture: LogCapture) {
  const logger = createLogger({ name: 'test', destination: capture });
  const app = express();
  app.use(requestContext(logger));
  app.use(jsonBody('1kb'));
  app.post('/echo', (req, res) => {
    const body = validate(z.strictObject({ name: z.string(), password: z.string() }), req.body);
    res.locals.sub = 'sub-123';
    res.json({ name: body.name });
  });
  app.get('/boom', () => {
    throw new Error('database password is hunter2');
  });
  app.get('/noted', (req, res) => {
    req.log.warn({ step: 'noted' }, 'handler note');
    res.json({ ok: true });
  });
  app.get('/careless', (req, res) => {
    req.log.info(
      { password: 'handler-password', body: { refreshToken: 'handler-rt' } },
      'careless',
    );
    res.json({ ok: true });
  });
  app.get('/slow', (_req, res) => {
    setTimeout(() => {
      if (!res.destroyed) res.json({ late: true });
    }, 200);
  });
  app.get('/teapot', () => {
    throw new HttpError(418, 'teapot', 'I am a teapot', { headers: { 'X-Extra': 'yes' } });
  });
  app.use(notFoundHandler);
  app.use(errorHandler());
  return app;
}

describe('shared HTTP helpers', () => {
  let capture: LogCapture;
  let app: express.Express;

  beforeEach(() => {
    capture = new LogCapture();
    app = buildTestApp(capture);
  });

  it('echoes a sane incoming X-Request-Id and uses it in error bodies', async () => {
    const response = await request(app).get('/missing').set('X-Request-Id', 'abc-123');
    expect(response.status).toBe(404);
    expect(response.headers['x-request-id']).toBe('abc-123');
    expect(response.body).toEqual({
      error: { code: 'not_found', message: 'No such route.', requestId: 'abc-123' },
    });
  });

  it('replaces an unsafe X-Request-Id with a generated one', async () => {
    const response = await request(app).get('/missing').set('X-Request-Id', 'bad id\twith tab');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.error.requestId).toBe(response.headers['x-request-id']);
  });

  it('answers 400 invalid_json for malformed JSON', async () => {
    const response = await request(app)
      .post('/echo')
      .set('Content-Type', 'application/json')
      .send('{"name":');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_json');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const response = await request(app).post('/echo').set('Content-Type', 'text/plain').send('hi');
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('unsupported_media_type');
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await request(app)
      .post('/echo')
      .send({ name: 'x'.repeat(2_000), password: 'p' });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
  });

  it('answers 400 naming the field for a wrong type', async () => {
    const response = await request(app).post('/echo').send({ name: 5, password: 'p' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'validation_failed' });
    expect(response.body.error.message).toMatch(/^name: /);
  });

  it('answers 500 with no detail for an unexpected error', async () => {
    const response = await request(app).get('/boom');
    expect(response.status).toBe(500);
    expect(response.body.error).toMatchObject({
      code: 'internal_error',
      message: 'Something went wrong on our side.',
    });
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
  });

  it('sets the headers an HttpError carries', async () => {
    const response = await request(app).get('/teapot');
    expect(response.status).toBe(418);
    expect(response.headers['x-extra']).toBe('yes');
  });

  it('logs one JSON line per request with id, status and sub, and no body or query', async () => {
    await request(app)
      .post('/echo?token=secret-in-query')
      .set('Authorization', 'Bearer secret-token')
      .set('X-Request-Id', 'req-1')
      .send({ name: 'Ann', password: 'very-secret-password' });
    const records = capture.records();
    const line = records.find((record) => record.requestId === 'req-1');
    expect(line).toMatchObject({
      level: 'info',
      sub: 'sub-123',
      req: { method: 'POST', path: '/echo' },
      res: { statusCode: 200 },
    });
    const text = capture.text();
    expect(text).not.toContain('very-secret-password');
    expect(text).not.toContain('secret-token');
    expect(text).not.toContain('secret-in-query');
  });
});

describe('requestContext', () => {
  let capture: LogCapture;
  let app: express.Express;

  beforeEach(() => {
    capture = new LogCapture();
    app = buildTestApp(capture);
  });

  it("gives req.log the request's id, a logger per request", async () => {
    await request(app).get('/noted').set('X-Request-Id', 'note-1');
    await request(app).get('/noted').set('X-Request-Id', 'note-2');
    const notes = capture.records().filter((record) => record.msg === 'handler note');
    expect(notes.map((note) => note.requestId)).toEqual(['note-1', 'note-2']);
    expect(notes[0]).toMatchObject({ level: 'warn', step: 'noted' });
  });

  it('writes the request line from its known fields, while req.log still redacts', async () => {
    await request(app).get('/careless').set('X-Request-Id', 'care-1');
    const records = capture.records().filter((record) => record.requestId === 'care-1');
    expect(records.find((record) => record.msg === 'careless')).toMatchObject({
      password: '[redacted]',
      body: { refreshToken: '[redacted]' },
    });
    const line = records.find((record) => record.msg === 'request completed');
    expect(line?.req).toEqual({
      method: 'GET',
      path: '/careless',
      remoteAddress: expect.any(String),
    });
    expect(line?.res).toEqual({ statusCode: 200 });
    expect(capture.text()).not.toMatch(/handler-password|handler-rt/);
  });

  it('logs a 4xx at warn and a 2xx at info', async () => {
    await request(app).get('/missing').set('X-Request-Id', 'miss-1');
    await request(app).get('/noted').set('X-Request-Id', 'ok-1');
    const lineOf = (id: string) =>
      capture
        .records()
        .find((record) => record.requestId === id && record.msg === 'request completed');
    expect(lineOf('miss-1')).toMatchObject({ level: 'warn', res: { statusCode: 404 } });
    expect(lineOf('ok-1')).toMatchObject({ level: 'info', res: { statusCode: 200 } });
  });

  it('logs a request the client abandoned as aborted, once', async () => {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const controller = new AbortController();
    const call = fetch(`http://127.0.0.1:${port}/slow`, {
      headers: { 'X-Request-Id': 'gone-1' },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await new Promise((resolve) => server.close(resolve));
    const lines = capture.records().filter((record) => record.requestId === 'gone-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'request aborted', aborted: true });
  });
});

describe('createLogger', () => {
  it('redacts secrets at any of the known paths', () => {
    const capture = new LogCapture();
    const logger = createLogger({ name: 'test', destination: capture });
    logger.info(
      {
        password: 'p1',
        request: { password: 'p2' },
        body: { refreshToken: 'r1', accessToken: 'a1' },
        headers: { authorization: 'Bearer x' },
      },
      'event',
    );
    const text = capture.text();
    for (const secret of ['p1', 'p2', 'r1', 'a1', 'Bearer x']) {
      expect(text).not.toContain(`"${secret}"`);
    }
    expect(capture.records()[0]).toMatchObject({ password: '[redacted]', level: 'info' });
  });

  it('redacts by exact path: exit codes and error codes stay readable', () => {
    const capture = new LogCapture();
    const logger = createLogger({ name: 'test', destination: capture });
    logger.error({ service: 'auth-server', code: 1, signal: null }, 'auth-server exited');
    logger.warn({ err: { code: 'ECONNREFUSED', message: 'connect refused' } }, 'store down');
    logger.info(
      {
        body: { code: '123456', password: 'p3' },
        req: { headers: { authorization: 'Bearer y', cookie: 'rt=z' } },
        input: { AuthParameters: { PASSWORD: 'p4', USERNAME: 'ann@example.com' } },
        event: { request: { password: 'p5' } },
      },
      'secrets',
    );
    const [exit, down, secrets] = capture.records();
    expect(exit).toMatchObject({ code: 1 });
    expect(down).toMatchObject({ err: { code: 'ECONNREFUSED' } });
    expect(secrets).toMatchObject({
      body: { code: '[redacted]', password: '[redacted]' },
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
      input: { AuthParameters: { PASSWORD: '[redacted]', USERNAME: 'ann@example.com' } },
      event: { request: { password: '[redacted]' } },
    });
  });

  it('names no wildcard path', () => {
    expect(REDACTED_PATHS.filter((path) => path.includes('*'))).toEqual([]);
  });

  it('keeps a CR/LF inside a value within one JSON line', () => {
    const capture = new LogCapture();
    const logger = createLogger({ name: 'test', destination: capture });
    logger.info({ user: 'mallory\n{"level":"info","msg":"forged"}' }, 'sign-in');
    expect(capture.lines).toHaveLength(1);
    expect(capture.records()[0]?.msg).toBe('sign-in');
  });
});
