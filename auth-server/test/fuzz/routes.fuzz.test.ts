import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createTestUserPool,
  signWithPoolKey,
  sharedLocalPool,
  type SharedLocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import {
  anyJson,
  authorizationHeader,
  claimsOf,
  contentType,
  describeFailure,
  houseRuleProblems,
  jwtLike,
  loneSurrogate,
  oddText,
  pathSegment,
  queryString,
  rawBody,
  reportable,
  requestIdHeader,
  resignedTokens,
  secretsIn,
  sendRaw,
  SentSecrets,
  freshStateDatabase,
  type Authorization,
  type FuzzAnswer,
  type FuzzRequest,
  type FreshStateDatabase,
} from '@authstack/shared/testing';
import fc from 'fast-check';
import { call, startAuthServer, type ServerProcess } from '../../../scripts/testing/servers';

/**
 * Property-based fuzzing of every route of the built auth-server, over HTTP, in front of a
 * real local pool process and a real state store. Each property runs a fixed number of
 * generated requests from a fixed seed, so a failure replays; fast-check shrinks it to a
 * small request, printed with the answer.
 */

const SEED = 1_207_012;
const RUNS = 30;
const FUZZ_TIMEOUT_MS = 180_000;

/** Every operation of openapi.json (the coverage test keeps this list true). */
const ROUTES = [
  'POST /user',
  'POST /user/confirm',
  'POST /user/confirm/resend',
  'POST /user/signin',
  'POST /user/password/new',
  'POST /user/token/refresh',
  'GET /user/signout',
  'POST /user/signout',
  'POST /user/signout/device',
  'GET /user/me',
  'POST /user/email/verification',
  'POST /user/email/verify',
  'POST /user/password/forgot',
  'POST /user/password/reset',
  'POST /user/password/change',
  'POST /user/signin/totp',
  'POST /user/signin/totp/enrolment',
  'POST /user/mfa/enrolment',
  'POST /user/mfa/enrolment/confirm',
  'POST /user/mfa/disable',
  'GET /admin/users',
  'PUT /admin/users/{email}/groups/{group}',
  'DELETE /admin/users/{email}/groups/{group}',
  'POST /admin/users/{email}/signout',
  'POST /admin/users/{email}/disable',
  'POST /admin/users/{email}/enable',
  'DELETE /admin/users/{email}',
  'POST /admin/users/{email}/password/reset',
  'DELETE /admin/users/{email}/mfa',
] as const;

/** Every password field of a request body, by route (the coverage test keeps this list true). */
const PASSWORD_FIELDS: [route: string, field: string][] = [
  ['POST /user', 'password'],
  ['POST /user/signin', 'password'],
  ['POST /user/password/new', 'newPassword'],
  ['POST /user/password/reset', 'newPassword'],
  ['POST /user/password/change', 'previousPassword'],
  ['POST /user/password/change', 'proposedPassword'],
  ['POST /user/mfa/disable', 'password'],
];

/** Routes that end the caller's own sessions: fuzzed with a user of their own. */
const SIGN_OUT_ROUTES = new Set<string>(['GET /user/signout', 'POST /user/signout']);

/** Error codes any route may answer, whatever openapi.json lists for it, with their status. */
const GENERIC_ERRORS: Record<string, number> = {
  not_found: 404,
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  too_many_requests: 429,
  request_timeout: 408,
  headers_too_large: 431,
};

const PASSWORD = 'Fuzz-Passw0rd!';
const TEMPORARY_PASSWORD = 'Fuzz-Temp0rary!';

type JsonSchema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

interface OpenApiOperation {
  security?: unknown[];
  description?: string;
  parameters?: { name: string; in: 'path' | 'query' }[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, { description: string }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema> };
}

interface Operation {
  method: string;
  path: string;
  access: 'public' | 'user' | 'admin';
  bodySchema: JsonSchema | undefined;
  pathParams: string[];
  queryParams: string[];
  /** The error codes openapi.json documents for it, with their status. */
  errors: Map<string, number>;
}

interface SignedIn {
  email: string;
  accessToken: string;
  idToken: string;
  refreshToken: string;
}

let pool: SharedLocalPool;
let userPool: TestUserPool;
let db: FreshStateDatabase;
let server: ServerProcess;
let document: OpenApiDocument;
/** Calls the user routes: its tokens stay valid throughout. */
let member: SignedIn;
/** Calls the admin routes. */
let admin: SignedIn;
/** Its password, refresh token and sign-out are fuzzed: its sessions may end. */
let expendable: SignedIn;
/** The target of the admin routes. */
let victim: SignedIn;
/** Calls the user routes with ill-formed passwords (its password may change). */
let illFormedCaller: SignedIn;
/** An invited user (FORCE_CHANGE_PASSWORD) and the session of its new_password_required. */
let invited: { email: string; session: string };
/** Every secret sent, to look for in the server's log at the end. */
const sentSecrets = new SentSecrets();

async function signUp(label: string): Promise<SignedIn> {
  const email = `fuzz.${label}.${process.pid}@example.com`;
  const answer = await call('POST', `${server.api}/user`, {
    body: { email, name: `Fuzz ${label}`, password: PASSWORD },
  });
  if (answer.status !== 201) {
    throw new Error(`sign-up answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return { email, ...(answer.body as Omit<SignedIn, 'email'>) };
}

async function inviteUser(): Promise<{ email: string; session: string }> {
  const email = `fuzz.invited.${process.pid}@example.com`;
  await pool.client.send(
    new AdminCreateUserCommand({
      UserPoolId: userPool.userPoolId,
      Username: email,
      TemporaryPassword: TEMPORARY_PASSWORD,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  const answer = await call('POST', `${server.api}/user/signin`, {
    body: { email, password: TEMPORARY_PASSWORD },
  });
  const error = answer.body.error as { code?: string; session?: string } | undefined;
  if (answer.status !== 403 || !error?.session) {
    throw new Error(`the invited user's sign-in answered ${answer.status}`);
  }
  return { email, session: error.session };
}

function resolveSchema(schema: JsonSchema | undefined): JsonSchema | undefined {
  const name = schema?.$ref?.split('/').pop();
  return name === undefined ? schema : document.components.schemas[name];
}

function operationOf(route: string): Operation {
  const [method = '', path = ''] = route.split(' ');
  const op = document.paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`${route} is not in openapi.json`);
  const errors = new Map<string, number>();
  for (const [status, response] of Object.entries(op.responses)) {
    const codes = /^Error codes: (.*)$/.exec(response.description)?.[1] ?? '';
    for (const code of codes.split(', ').filter(Boolean)) errors.set(code, Number(status));
  }
  const parameters = op.parameters ?? [];
  return {
    method,
    path,
    access: op.security ? 'public' : op.description?.includes('admin group') ? 'admin' : 'user',
    bodySchema: resolveSchema(op.requestBody?.content['application/json'].schema),
    pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
    queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
    errors,
  };
}

// ---------------------------------------------------------------------------------------------
// What a generated request is made of

/** Emails: the users this suite made (in any case, padded), fresh ones, long ones, odd ones. */
function emailValue(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.mixedCase(fc.constantFrom(...known)), fc.constantFrom('', ' ', '\t'))
        .map(([email, pad]) => `${pad}${email}${pad}`),
    },
    { weight: 3, arbitrary: fc.emailAddress() },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 240 }))
        .map(([local, domain]) => `${'a'.repeat(local)}@${'b'.repeat(domain)}.com`),
    },
    { weight: 2, arbitrary: oddText },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'a@b',
        '@example.com',
        'a@example.com.',
        'a..b@example.com',
        'a@[127.0.0.1]',
        '"quoted"@example.com',
        'u\u0308ser@exa\u0301mple.com',
        '\u00fcser@example.com',
        'a@example.com\u0000',
        'a+tag@example.com',
        'a%40b@example.com',
      ),
    },
  );
}

/** Passwords: strong ones (with lone surrogates too), the expendable user's real one, odd text. */
const strongPassword = fc.string({ maxLength: 24 }).map((rest) => `Aa1!${rest}`);
const passwordValue = (known: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: strongPassword },
    {
      weight: 2,
      arbitrary: fc
        .tuple(strongPassword, loneSurrogate, fc.string({ maxLength: 4 }))
        .map((parts) => parts.join('')),
    },
    { weight: 1, arbitrary: fc.constant(known) },
    { weight: 3, arbitrary: oddText },
  );

const codeValue = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^\d{6}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[\d ]{1,16}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9]{8,64}$/) },
  { weight: 2, arbitrary: oddText },
);

const opaqueValue = (known: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: jwtLike },
    { weight: 1, arbitrary: fc.base64String({ minLength: 4, maxLength: 600 }) },
    { weight: 2, arbitrary: oddText },
    {
      // Around the bounds the API and the pool set (Cognito: sessions 20–2048, tokens 4096).
      weight: 1,
      arbitrary: fc
        .constantFrom(19, 20, 2_048, 2_049, 4_096, 4_097, 8_192, 8_193)
        .map((length) => 'A'.repeat(length)),
    },
  );

const nameValue = fc.oneof(fc.constant('Fuzz User'), oddText);

/** A plausible value for a field, chosen by its name. */
function fieldValue(name: string): fc.Arbitrary<unknown> {
  const emails = [expendable.email, victim.email, invited.email];
  if (name === 'email') return emailValue(emails);
  if (/password/i.test(name)) return passwordValue(PASSWORD);
  if (name === 'code') return codeValue;
  if (name === 'session') return opaqueValue([invited.session]);
  if (name === 'refreshToken') return opaqueValue([expendable.refreshToken]);
  if (/name/i.test(name)) return nameValue;
  return oddText;
}

/**
 * Bodies in the route's own shape: each field a plausible or an arbitrary value, sometimes
 * fields missing, sometimes fields added.
 */
function shapedBody(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const names = Object.keys(schema.properties ?? {});
  const fields = Object.fromEntries(
    names.map((name) => [
      name,
      fc.oneof({ weight: 6, arbitrary: fieldValue(name) }, { weight: 1, arbitrary: anyJson }),
    ]),
  );
  return fc
    .tuple(
      fc.record(fields),
      fc.oneof(
        { weight: 4, arbitrary: fc.constant<string[]>([]) },
        { weight: 1, arbitrary: fc.subarray(names, { minLength: 1 }) },
      ),
      fc.oneof(
        { weight: 5, arbitrary: fc.constant({}) },
        { weight: 1, arbitrary: fc.dictionary(oddText, anyJson, { minKeys: 1, maxKeys: 2 }) },
      ),
    )
    .map(([values, missing, extra]) =>
      Object.fromEntries(
        Object.entries({ ...extra, ...values }).filter(([name]) => !missing.includes(name)),
      ),
    );
}

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; contentType: string | undefined }
  | { kind: 'raw'; raw: string | Uint8Array; contentType: string | undefined };

function bodyOf(op: Operation): fc.Arbitrary<Body> {
  const json = (value: fc.Arbitrary<unknown>) =>
    fc
      .tuple(value, contentType)
      .map(([v, type]): Body => ({ kind: 'json', value: v, contentType: type }));
  const raw = fc
    .tuple(rawBody, contentType)
    .map(([bytes, type]): Body => ({ kind: 'raw', raw: bytes, contentType: type }));
  const none = fc.constant<Body>({ kind: 'none' });
  if (!op.bodySchema) {
    return fc.oneof(
      { weight: 6, arbitrary: none },
      { weight: 1, arbitrary: json(anyJson) },
      { weight: 1, arbitrary: raw },
    );
  }
  return fc.oneof(
    { weight: 7, arbitrary: json(shapedBody(op.bodySchema)) },
    { weight: 2, arbitrary: json(anyJson) },
    { weight: 1, arbitrary: raw },
    { weight: 1, arbitrary: none },
  );
}

/** The path with each parameter a generated segment. */
function pathOf(op: Operation): fc.Arbitrary<string> {
  const segments = op.pathParams.map((name) =>
    name === 'email'
      ? pathSegment(emailValue([victim.email, invited.email, expendable.email]))
      : pathSegment(fc.oneof(fc.constantFrom('admin', 'no-such-group'), oddText)),
  );
  return fc
    .tuple(...segments)
    .map((values) =>
      op.pathParams.reduce(
        (path, name, index) => path.replace(`{${name}}`, values[index] ?? ''),
        op.path,
      ),
    );
}

function queryOf(op: Operation): fc.Arbitrary<string> {
  if (op.queryParams.length === 0) return queryString();
  return queryString({
    limit: fc.oneof(fc.integer({ min: -5, max: 100 }).map(String), oddText),
    nextToken: fc.oneof(oddText, jwtLike, fc.base64String({ maxLength: 200 })),
  });
}

/** Whose real tokens a route is called with: the one it may act on without harm. */
function callerOf(op: Operation): SignedIn {
  if (op.access === 'admin') return admin;
  return SIGN_OUT_ROUTES.has(`${op.method} ${op.path}`) ? expendable : member;
}

/** Real tokens of `caller` with claims changed, signed again with the pool's own key. */
function poolSigned(caller: SignedIn): fc.Arbitrary<string> {
  return resignedTokens([caller.accessToken, caller.idToken], (claims, original) =>
    signWithPoolKey(pool, claimsOf(original).token_use === 'id' ? 'id' : 'access', claims),
  );
}

function authorizationOf(op: Operation): fc.Arbitrary<Authorization> {
  const caller = callerOf(op);
  const fuzzed = authorizationHeader({
    real: [caller.accessToken, caller.idToken, caller.refreshToken],
    poolSigned: poolSigned(caller),
  });
  if (op.access === 'public') return fuzzed;
  const valid = fc.constant<Authorization>({
    kind: 'real',
    header: `Bearer ${caller.accessToken}`,
  });
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: fuzzed });
}

interface Generated {
  method: string;
  target: string;
  authorization: Authorization;
  requestId: string | undefined;
  body: Body;
}

function requestsFor(op: Operation): fc.Arbitrary<Generated> {
  return fc.record({
    method: fc.oneof(
      { weight: 9, arbitrary: fc.constant(op.method) },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH') },
    ),
    target: fc.tuple(pathOf(op), queryOf(op)).map(([path, query]) => `/v1/api${path}${query}`),
    authorization: authorizationOf(op),
    requestId: requestIdHeader,
    body: bodyOf(op),
  });
}

function toRequest(generated: Generated): FuzzRequest {
  const { body, authorization } = generated;
  const headers: Record<string, string> = {};
  if (authorization.header !== undefined) headers.authorization = authorization.header;
  if (generated.requestId !== undefined) headers['x-request-id'] = generated.requestId;
  if (body.kind !== 'none' && body.contentType !== undefined) {
    headers['content-type'] = body.contentType;
  }
  const payload =
    body.kind === 'json' ? JSON.stringify(body.value) : body.kind === 'raw' ? body.raw : undefined;
  const request: FuzzRequest = {
    method: generated.method,
    target: generated.target,
    headers,
    body: payload,
    secrets: [
      ...(body.kind === 'json' ? secretsIn(body.value) : []),
      ...(authorization.header === undefined
        ? []
        : [authorization.header, authorization.header.replace(/^\S*\s*/, '')]),
    ],
  };
  sentSecrets.record(request);
  return request;
}

/** The error code of an answer ('' when it has none). */
function errorCodeOf(answer: FuzzAnswer): string {
  try {
    const body = JSON.parse(answer.text) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'string' ? body.error.code : '';
  } catch {
    return '';
  }
}

function fail(problems: string[], answer: FuzzAnswer): void {
  if (problems.length > 0) throw new Error(describeFailure(problems, answer));
}

/**
 * The house rules, and: a route that needs a user never admits what the pool never issued,
 * neither with an answer nor with a 403 (which would mean the token was taken for genuine).
 */
async function checkHouseRules(op: Operation, generated: Generated): Promise<void> {
  const request = toRequest(generated);
  const answer = await sendRaw(server.base, request);
  const problems = houseRuleProblems(request, answer, {
    extraErrorFields: { new_password_required: ['session'] },
  });
  const forged = ['none', 'forged'].includes(generated.authorization.kind);
  if (op.access !== 'public' && forged && (answer.status < 400 || answer.status === 403)) {
    problems.push(`a ${generated.authorization.kind} credential got ${answer.status}`);
  }
  fail(problems, answer);
}

/** The error codes (and their status) a route answers are the ones openapi.json lists for it. */
async function checkDocumentedErrors(op: Operation, generated: Generated): Promise<void> {
  const answer = await sendRaw(server.base, toRequest(generated));
  if (answer.status < 400) return;
  const code = errorCodeOf(answer);
  const expected = op.errors.get(code) ?? GENERIC_ERRORS[code];
  if (expected !== answer.status) {
    fail([`${answer.status} ${code} is not documented for ${op.method} ${op.path}`], answer);
  }
}

beforeAll(async () => {
  [pool, db] = await Promise.all([sharedLocalPool(), freshStateDatabase()]);
  userPool = await createTestUserPool(pool, { mfaConfiguration: 'OPTIONAL' });
  server = await startAuthServer({
    poolEndpoint: pool.endpoint,
    userPool,
    stateDatabaseUrl: db.url,
    env: {
      // The fuzz measures input handling, not the limits (a 429 is a valid answer all the same).
      SIGNIN_MAX_FAILURES_PER_EMAIL: '0',
      SIGNIN_MAX_FAILURES_PER_IP: '0',
      ACCOUNT_MAX_REQUESTS_PER_IP: '0',
      MFA_MAX_FAILURES_PER_SESSION: '0',
      MFA_MAX_FAILURES_PER_USER: '0',
      // Nor a slow pool on a busy machine: dependency faults are the fault suite's business.
      UPSTREAM_TIMEOUT_MS: '20000',
      LOG_LEVEL: 'debug',
    },
  });
  member = await signUp('member');
  admin = await signUp('admin');
  expendable = await signUp('expendable');
  victim = await signUp('victim');
  illFormedCaller = await signUp('ill-formed');
  invited = await inviteUser();
  await pool.client.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: userPool.userPoolId,
      Username: admin.email,
      GroupName: 'admin',
    }),
  );
  const answer = await call('GET', `${server.api}/openapi.json`);
  document = answer.body as unknown as OpenApiDocument;
}, 120_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  await Promise.all([pool?.stop(), db?.stop()]);
});

describe(`auth-server under fuzzed input (fast-check, seed ${SEED}, ${RUNS} runs a property)`, () => {
  it('fuzzes every operation of openapi.json', () => {
    const documented = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect([...ROUTES].sort()).toEqual(documented.sort());
    const passwordFields = ROUTES.flatMap((route) =>
      Object.keys(operationOf(route).bodySchema?.properties ?? {})
        .filter((field) => /password/i.test(field))
        .map((field) => [route, field]),
    );
    expect(passwordFields).toEqual(PASSWORD_FIELDS);
  });

  describe.each(ROUTES)('%s', (route) => {
    it(
      'never answers 5xx, never echoes a password or token, answers errors in the house shape, and admits no credential the pool never issued',
      async () => {
        const op = operationOf(route);
        await fc.assert(
          fc.asyncProperty(reportable(requestsFor(op)), (generated) =>
            checkHouseRules(op, generated),
          ),
          { seed: SEED, numRuns: RUNS },
        );
      },
      FUZZ_TIMEOUT_MS,
    );

    it(
      'answers only the error codes openapi.json documents for it',
      async () => {
        const op = operationOf(route);
        await fc.assert(
          fc.asyncProperty(reportable(requestsFor(op)), (generated) =>
            checkDocumentedErrors(op, generated),
          ),
          { seed: SEED + 1, numRuns: RUNS },
        );
      },
      FUZZ_TIMEOUT_MS,
    );
  });

  describe.each(PASSWORD_FIELDS)('%s', (route, field) => {
    it(
      `refuses a ${field} that is not well-formed UTF-16 with 400 validation_failed`,
      async () => {
        const op = operationOf(route);
        // Long and mixed enough for the pool's policy, whatever fast-check shrinks it to.
        const illFormed = fc
          .tuple(strongPassword, loneSurrogate, fc.string({ maxLength: 4 }))
          .map(([strong, surrogate, tail]) => `Aa1!${strong}${surrogate}${tail}`);
        // Every other field valid: a fresh email to sign up with, the expendable user's elsewhere.
        const valid: Record<string, fc.Arbitrary<unknown>> = {
          email:
            route === 'POST /user'
              ? fc.stringMatching(/^[a-z0-9]{1,16}$/).map((id) => `fuzz.new.${id}@example.com`)
              : fc.constant(expendable.email),
          name: fc.constant('Fuzz User'),
          code: fc.stringMatching(/^\d{6}$/),
          session: fc.constant(invited.session),
          previousPassword: fc.constant(PASSWORD),
        };
        const fields = Object.keys(op.bodySchema?.properties ?? {});
        const body = fc.record(
          Object.fromEntries(
            fields.map((name) => [
              name,
              name === field ? illFormed : (valid[name] ?? strongPassword),
            ]),
          ),
        );
        await fc.assert(
          fc.asyncProperty(reportable(body), async (value) => {
            const request = toRequest({
              method: op.method,
              target: `/v1/api${op.path}`,
              authorization:
                op.access === 'public'
                  ? { kind: 'none', header: undefined }
                  : { kind: 'real', header: `Bearer ${illFormedCaller.accessToken}` },
              requestId: undefined,
              body: { kind: 'json', value, contentType: 'application/json' },
            });
            const answer = await sendRaw(server.base, request);
            const problems = houseRuleProblems(request, answer);
            const code = errorCodeOf(answer);
            if (answer.status !== 400 || code !== 'validation_failed') {
              problems.push(`answered ${answer.status} ${code}, not 400 validation_failed`);
            }
            fail(problems, answer);
          }),
          { seed: SEED + 2, numRuns: 10 },
        );
      },
      FUZZ_TIMEOUT_MS,
    );
  });

  it(
    'answers every other path, health route and openapi.json in the house shape',
    async () => {
      const paths = fc.oneof(
        fc.constantFrom(
          '/healthz',
          '/readyz',
          '/v1/api/openapi.json',
          '/v1/api',
          '/',
          '/v2/api/user',
        ),
        fc
          .array(pathSegment(oddText), { minLength: 1, maxLength: 4 })
          .map((s) => `/${s.join('/')}`),
        fc
          .array(pathSegment(oddText), { minLength: 1, maxLength: 3 })
          .map((s) => `/v1/api/${s.join('/')}`),
      );
      const generated = fc.record({
        method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        target: fc.tuple(paths, queryString()).map(([path, query]) => `${path}${query}`),
        authorization: authorizationHeader({ real: [member.accessToken] }),
        requestId: requestIdHeader,
        body: fc.oneof(
          fc.constant<Body>({ kind: 'none' }),
          fc
            .tuple(anyJson, contentType)
            .map(([value, type]): Body => ({ kind: 'json', value, contentType: type })),
        ),
      });
      await fc.assert(
        fc.asyncProperty(reportable(generated), async (request) => {
          const sent = toRequest(request);
          const answer = await sendRaw(server.base, sent);
          fail(houseRuleProblems(sent, answer), answer);
        }),
        { seed: SEED + 3, numRuns: 60 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('never wrote a password, token or code it was sent to its log', () => {
    const log = server.process.output();
    expect(sentSecrets.size).toBeGreaterThan(100);
    expect(sentSecrets.foundIn(log)).toEqual([]);
  });
});
