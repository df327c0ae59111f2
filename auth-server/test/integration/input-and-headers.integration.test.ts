import { createTestUserPool, startLocalPool } from '@authstack/local-pool/testing';
import request from 'supertest';
import { API, createApp, signUp, type LocalPool, type TestApp } from './harness';

let pool: LocalPool;
let api: TestApp;

beforeAll(async () => {
  pool = await startLocalPool();
  api = createApp(pool, await createTestUserPool(pool));
});

afterAll(async () => {
  await pool?.stop();
});

const signIn = () => request(api.app).post(`${API}/user/signin`);

function expectErrorBody(response: request.Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.body).toEqual({
    error: { code, message: expect.any(String), requestId: response.headers['x-request-id'] },
  });
}

describe('bad input: a clear 4xx naming what is wrong (security case 21)', () => {
  it('answers 400 invalid_json for malformed JSON', async () => {
    const response = await signIn()
      .set('Content-Type', 'application/json')
      .send('{"email": "a@b.co",');
    expectErrorBody(response, 400, 'invalid_json');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const response = await signIn().set('Content-Type', 'text/plain').send('email=a@b.co');
    expectErrorBody(response, 415, 'unsupported_media_type');
    const form = await signIn().type('form').send({ email: 'a@b.co', password: 'x' });
    expectErrorBody(form, 415, 'unsupported_media_type');
  });

  it('answers 413 for a body over 16 KiB', async () => {
    const response = await signIn().send({ email: 'a@b.co', password: 'x'.repeat(17 * 1024) });
    expectErrorBody(response, 413, 'payload_too_large');
  });

  it.each([
    [
      'a JSON array',
      [{ email: 'a@b.co', password: 'x' }],
      'The request body must be a JSON object.',
    ],
    ['a JSON string', '"hello"', 'The request body must be a JSON object.'],
    ['null', 'null', 'The request body must be a JSON object.'],
    ['a missing field', { email: 'a@b.co' }, 'password: Required'],
    [
      'a number for the email',
      { email: 1, password: 'x' },
      /^email: .*expected string, received number/,
    ],
    ['an object for the password', { email: 'a@b.co', password: { $ne: '' } }, /^password: /],
    ['an invalid email', { email: 'not-an-email', password: 'x' }, 'email: Invalid email address'],
    ['an unknown field', { email: 'a@b.co', password: 'x', admin: true }, 'Unknown field: admin'],
    ['an empty password', { email: 'a@b.co', password: '' }, /^password: /],
  ])('answers 400 validation_failed for %s', async (_case, body, message) => {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const response = await signIn().set('Content-Type', 'application/json').send(raw);
    expectErrorBody(response, 400, 'validation_failed');
    if (typeof message === 'string') expect(response.body.error.message).toBe(message);
    else expect(response.body.error.message).toMatch(message);
  });

  it('answers 404 not_found in the same body for an unknown route', async () => {
    expectErrorBody(await request(api.app).get(`${API}/nothing-here`), 404, 'not_found');
    expectErrorBody(await request(api.app).get('/'), 404, 'not_found');
  });
});

describe('error bodies (security case 23)', () => {
  it('carry the request id and no upstream detail', async () => {
    const user = await signUp(api.app);
    const responses = [
      await signIn().send({ email: user.email, password: 'Wrong-Passw0rd!' }),
      await request(api.app)
        .post(`${API}/user`)
        .send({ email: user.email, name: 'x', password: user.password }),
      await request(api.app).get(`${API}/user/me`).set('Authorization', `Bearer ${user.idToken}`),
      await request(api.app).post(`${API}/user/token/refresh`).send({ refreshToken: 'nope' }),
    ];
    for (const response of responses) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.body.error.requestId).toBe(response.headers['x-request-id']);
      const text = JSON.stringify(response.body);
      expect(text).not.toMatch(/Exception|Cognito|\$metadata|stack|at \w+ \(/);
      expect(text).not.toContain('Incorrect username or password');
      expect(text).not.toContain('given email already exists');
    }
  });

  it('keep a sane incoming X-Request-Id and replace an insane one', async () => {
    const kept = await request(api.app).get(`${API}/user/me`).set('X-Request-Id', 'trace-123.abc');
    expect(kept.headers['x-request-id']).toBe('trace-123.abc');
    expect(kept.body.error.requestId).toBe('trace-123.abc');
    const replaced = await request(api.app)
      .get(`${API}/user/me`)
      .set('X-Request-Id', 'evil id {"level":"fatal"}');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('security headers (security case 24)', () => {
  it.each([
    ['a success', () => request(api.app).get('/healthz')],
    ['an error', () => signIn().send({})],
    ['an unknown route', () => request(api.app).get('/nope')],
    ['openapi.json', () => request(api.app).get(`${API}/openapi.json`)],
  ])('are on %s', async (_case, send) => {
    const response = await send();
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['content-security-policy']).toEqual(expect.any(String));
    expect(response.headers['x-powered-by']).toBeUndefined();
  });
});

describe('tokens in URLs (security case 25)', () => {
  it('are never accepted: a valid access token in the query string gets 400, not the profile', async () => {
    const user = await signUp(api.app);
    for (const name of ['access_token', 'accessToken', 'token', 'authorization']) {
      const response = await request(api.app).get(`${API}/user/me?${name}=${user.accessToken}`);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toBe(`Unknown field: ${name}`);
      expect(JSON.stringify(response.body)).not.toContain(user.accessToken);
    }
    const withHeaderToo = await request(api.app)
      .get(`${API}/user/me?access_token=${user.accessToken}`)
      .set('Authorization', `Bearer ${user.accessToken}`);
    expect(withHeaderToo.status).toBe(400);
  });
});

describe('GET /v1/api/openapi.json', () => {
  it('documents every route with the schemas that validate the requests', async () => {
    const response = await request(api.app).get(`${API}/openapi.json`);
    expect(response.status).toBe(200);
    const document = response.body;
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: '/v1/api' }]);
    expect(Object.keys(document.paths).sort()).toEqual(
      [
        '/admin/users',
        '/admin/users/{email}',
        '/admin/users/{email}/disable',
        '/admin/users/{email}/enable',
        '/admin/users/{email}/groups/{group}',
        '/admin/users/{email}/mfa',
        '/admin/users/{email}/password/reset',
        '/admin/users/{email}/signout',
        '/user',
        '/user/confirm',
        '/user/confirm/resend',
        '/user/email/verification',
        '/user/email/verify',
        '/user/me',
        '/user/mfa/disable',
        '/user/mfa/enrolment',
        '/user/mfa/enrolment/confirm',
        '/user/password/change',
        '/user/password/forgot',
        '/user/password/new',
        '/user/password/reset',
        '/user/signin',
        '/user/signin/totp',
        '/user/signin/totp/enrolment',
        '/user/signout',
        '/user/signout/device',
        '/user/token/refresh',
      ].sort(),
    );
    expect(Object.keys(document.paths['/user/signout'])).toEqual(['get', 'post']);
    expect(
      document.paths['/user/signin'].post.requestBody.content['application/json'].schema,
    ).toEqual({
      $ref: '#/components/schemas/SignInRequest',
    });
    expect(document.components.schemas.SignInRequest).toMatchObject({
      type: 'object',
      required: ['email', 'password'],
      additionalProperties: false,
    });
    expect(document.paths['/user/signin'].post.responses['401'].description).toContain(
      'invalid_credentials',
    );
    const listUsers = document.paths['/admin/users'].get;
    expect(listUsers.parameters.map((p: { name: string }) => p.name)).toEqual([
      'limit',
      'nextToken',
    ]);
  });
});
