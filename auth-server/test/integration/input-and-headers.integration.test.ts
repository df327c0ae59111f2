import { createTestUserPool, sharedLocalPool } from '@authstack/local-pool/testing';
import request from 'supertest';
import {
  API,
  PASSWORD,
  adminGetUser,
  bearer,
  createApp,
  createInvitedUser,
  signInRequest,
  signUp,
  uniqueEmail,
  type SharedLocalPool,
  type TestApp,
  type TestUserPool,
} from './harness';

let pool: SharedLocalPool;
let userPool: TestUserPool;
let api: TestApp;

beforeAll(async () => {
  pool = await sharedLocalPool();
  userPool = await createTestUserPool(pool);
  api = createApp(pool, userPool);
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

describe('passwords that are not well-formed UTF-16', () => {
  const LONE_SURROGATES = [
    'Passw0rd!\ud800',
    'Passw0rd!\udbff',
    '\udc00Passw0rd!',
    'Pass\udc00\ud800w0rd!',
  ];

  it('are refused at sign-up with 400 validation_failed naming the field, and no user is created', async () => {
    for (const password of LONE_SURROGATES) {
      const email = uniqueEmail('surrogate');
      const response = await request(api.app)
        .post(`${API}/user`)
        .send({ email, name: 'Lone Surrogate', password });
      expectErrorBody(response, 400, 'validation_failed');
      expect(response.body.error.message).toBe(
        'password: Must be well-formed Unicode (no lone surrogate)',
      );
      expect(await adminGetUser(pool, userPool, email)).toBe('not found');
    }
  });

  it('are refused in every password field of every route, before the pool is asked', async () => {
    const user = await signUp(api.app);
    const invited = uniqueEmail('invited');
    await createInvitedUser(pool, userPool, invited, 'Temporary-Passw0rd!');
    const challenge = await signInRequest(api.app, invited, 'Temporary-Passw0rd!').expect(403);
    const session = challenge.body.error.session as string;
    const bad = 'Passw0rd!\ud800';
    const cases: [string, Record<string, unknown>, string, boolean][] = [
      ['/user', { email: uniqueEmail(), name: 'N', password: bad }, 'password', false],
      ['/user/signin', { email: user.email, password: bad }, 'password', false],
      ['/user/password/new', { email: invited, session, newPassword: bad }, 'newPassword', false],
      [
        '/user/password/reset',
        { email: user.email, code: '123456', newPassword: bad },
        'newPassword',
        false,
      ],
      [
        '/user/password/change',
        { previousPassword: bad, proposedPassword: 'Changed-Passw0rd!1' },
        'previousPassword',
        true,
      ],
      [
        '/user/password/change',
        { previousPassword: PASSWORD, proposedPassword: bad },
        'proposedPassword',
        true,
      ],
      ['/user/mfa/disable', { password: bad }, 'password', true],
    ];
    for (const [path, body, field, signedIn] of cases) {
      const call = request(api.app).post(`${API}${path}`);
      const response = await (signedIn ? call.set(bearer(user.accessToken)) : call).send(body);
      expectErrorBody(response, 400, 'validation_failed');
      expect(response.body.error.message).toMatch(new RegExp(`^${field}: `));
    }
    // Nothing was changed: the password is the old one, the invitation's session still works.
    await signInRequest(api.app, user.email, PASSWORD).expect(200);
    await request(api.app)
      .post(`${API}/user/password/new`)
      .send({ email: invited, session, newPassword: 'Chosen-Passw0rd!1' })
      .expect(200);
  });

  it('still accepts characters outside the BMP (a surrogate pair): sign-up and sign-in with one work', async () => {
    const user = await signUp(api.app, uniqueEmail('astral'), 'Passw0rd!\u{1F511}');
    await signInRequest(api.app, user.email, 'Passw0rd!\u{1F511}').expect(200);
    await signInRequest(api.app, user.email, 'Passw0rd!\ufffd').expect(401);
  });
});

describe("emails over the pool's limit (the Cognito username: 128 characters)", () => {
  /** `total` characters long, of the shape of an email address. */
  const emailOfLength = (total: number): string => {
    const domain = '@example.com';
    return `${'a'.repeat(total - domain.length)}${domain}`;
  };

  it('are refused with 400 validation_failed naming the field on every route that takes an email', async () => {
    for (const email of [emailOfLength(254), emailOfLength(129)]) {
      const cases: [string, Record<string, unknown>][] = [
        ['/user', { email, name: 'Long Email', password: PASSWORD }],
        ['/user/signin', { email, password: PASSWORD }],
        ['/user/password/forgot', { email }],
        ['/user/confirm/resend', { email }],
        ['/user/password/reset', { email, code: '123456', newPassword: PASSWORD }],
      ];
      for (const [path, body] of cases) {
        const response = await request(api.app).post(`${API}${path}`).send(body);
        expectErrorBody(response, 400, 'validation_failed');
        expect(response.body.error.message).toMatch(/^email: .*128/);
      }
    }
  });

  it('are taken up to the limit: a 128-character email signs up and signs in', async () => {
    const email = emailOfLength(128);
    const user = await signUp(api.app, email);
    await signInRequest(api.app, user.email, PASSWORD).expect(200);
  });
});

describe('a session that cannot be one', () => {
  it.each([
    ['too short', 'bogus'],
    ['too long', 'x'.repeat(2049)],
  ])(
    'answers POST /user/password/new with the documented 401 invalid_session (%s)',
    async (_case, session) => {
      const email = uniqueEmail('invited');
      await createInvitedUser(pool, userPool, email, 'Temporary-Passw0rd!');
      const response = await request(api.app)
        .post(`${API}/user/password/new`)
        .send({ email, session, newPassword: 'Chosen-Passw0rd!1' });
      expectErrorBody(response, 401, 'invalid_session');
    },
  );

  it('answers the MFA challenge routes with 401 invalid_session too', async () => {
    const user = await signUp(api.app);
    for (const path of ['/user/signin/totp', '/user/signin/totp/enrolment']) {
      const response = await request(api.app)
        .post(`${API}${path}`)
        .send({ email: user.email, session: 'bogus', code: '123456' });
      expectErrorBody(response, 401, 'invalid_session');
    }
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
