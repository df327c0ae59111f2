import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createConfirmedUser } from '@authstack/local-pool';
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
  oddText,
  pathSegment,
  queryString,
  rawBody,
  reportable,
  requestIdHeader,
  resignedTokens,
  sendRaw,
  SentSecrets,
  freshStateDatabase,
  type Authorization,
  type FuzzRequest,
  type FreshStateDatabase,
} from '@authstack/shared/testing';
import fc from 'fast-check';
import { startResourceServer, type ServerProcess } from '../../../scripts/testing/servers';

/**
 * Property-based fuzzing of every route of the built resource-server, over HTTP, verifying
 * the tokens of a real local pool process, with its revocations from a real state store.
 * A fixed seed and a fixed number of runs: a failure replays, shrunk to a small request.
 */

const SEED = 1_207_013;
const RUNS = 40;
const FUZZ_TIMEOUT_MS = 180_000;
const PASSWORD = 'Fuzz-Passw0rd!';

/** Every route the resource-server serves (the coverage test keeps this list true). */
const ROUTES = [
  { route: 'GET /v1/api/ping', protected: false },
  { route: 'GET /v1/api/users/me', protected: true },
  { route: 'GET /v1/api/admin/overview', protected: true },
  { route: 'GET /v1/api/session', protected: true },
  { route: 'GET /v1/api/reports', protected: true },
  { route: 'GET /healthz', protected: false },
  { route: 'GET /readyz', protected: false },
];

interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

let pool: SharedLocalPool;
let userPool: TestUserPool;
let db: FreshStateDatabase;
let server: ServerProcess;
let member: Tokens;
let admin: Tokens;
/** Every secret sent, to look for in the server's log at the end. */
const sentSecrets = new SentSecrets();

async function createSignedInUser(email: string, groups: string[]): Promise<Tokens> {
  await createConfirmedUser(pool.client, userPool.userPoolId, {
    email,
    password: PASSWORD,
    groups,
  });
  const { AuthenticationResult: result } = await pool.client.send(
    new InitiateAuthCommand({
      ClientId: userPool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD },
    }),
  );
  return {
    idToken: result?.IdToken ?? '',
    accessToken: result?.AccessToken ?? '',
    refreshToken: result?.RefreshToken ?? '',
  };
}

/** The routes the source declares, `router.get('/ping', …)` → `GET /v1/api/ping`. */
function declaredRoutes(): string[] {
  const folder = path.join(__dirname, '../../src/routes');
  return readdirSync(folder).flatMap((file) => {
    const source = readFileSync(path.join(folder, file), 'utf8');
    const prefix = file === 'api.ts' ? '/v1/api' : '';
    return [...source.matchAll(/router\.(get|post|put|patch|delete)\('([^']+)'/g)].map(
      ([, method = '', route = '']) => `${method.toUpperCase()} ${prefix}${route}`,
    );
  });
}

const realTokens = (): string[] => [
  member.idToken,
  member.accessToken,
  admin.idToken,
  admin.accessToken,
];

interface Generated {
  method: string;
  target: string;
  authorization: Authorization;
  requestId: string | undefined;
  body: { raw: string | Uint8Array; contentType: string | undefined } | undefined;
}

/** The route's path as sent: as it is, or in another case, with a trailing slash, encoded. */
function pathVariant(route: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(route) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `${route}/`,
        route.toUpperCase(),
        route.replace(/\/([^/]+)$/, '/%$1'),
        route.replace(/\//g, '//'),
        route.replace(/e/g, '%65'),
        `${route}/..`,
        `${route}%00`,
      ),
    },
  );
}

function requestsTo(paths: fc.Arbitrary<string>, method: string): fc.Arbitrary<Generated> {
  return fc.record({
    method: fc.oneof(
      { weight: 8, arbitrary: fc.constant(method) },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS') },
    ),
    target: fc.tuple(paths, queryString()).map(([route, query]) => `${route}${query}`),
    authorization: authorizationHeader({
      real: [...realTokens(), member.refreshToken],
      poolSigned: resignedTokens(realTokens(), (claims, original) =>
        signWithPoolKey(pool, claimsOf(original).token_use === 'id' ? 'id' : 'access', claims),
      ),
    }),
    requestId: requestIdHeader,
    body: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(anyJson, contentType)
          .map(([value, type]) => ({ raw: JSON.stringify(value) ?? '', contentType: type })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(rawBody, contentType)
          .map(([raw, type]) => ({ raw, contentType: type })),
      },
    ),
  });
}

function toRequest(generated: Generated): FuzzRequest {
  const headers: Record<string, string> = {};
  const { authorization, body } = generated;
  if (authorization.header !== undefined) headers.authorization = authorization.header;
  if (generated.requestId !== undefined) headers['x-request-id'] = generated.requestId;
  if (body?.contentType !== undefined) headers['content-type'] = body.contentType;
  const request: FuzzRequest = {
    method: generated.method,
    target: generated.target,
    headers,
    body: body?.raw,
    secrets:
      authorization.header === undefined
        ? []
        : [authorization.header, authorization.header.replace(/^\S*\s*/, '')],
  };
  sentSecrets.record(request);
  return request;
}

/**
 * The house rules, and: a protected route never admits what the pool never issued, neither
 * with an answer nor with a 403 (which would mean the token was taken for genuine).
 */
async function checkHouseRules(isProtected: boolean, generated: Generated): Promise<void> {
  const request = toRequest(generated);
  const answer = await sendRaw(server.base, request);
  const problems = houseRuleProblems(request, answer);
  const forged = ['none', 'forged'].includes(generated.authorization.kind);
  if (isProtected && forged && (answer.status < 400 || answer.status === 403)) {
    problems.push(`a ${generated.authorization.kind} credential got ${answer.status}`);
  }
  if (problems.length > 0) throw new Error(describeFailure(problems, answer));
}

beforeAll(async () => {
  [pool, db] = await Promise.all([sharedLocalPool(), freshStateDatabase()]);
  userPool = await createTestUserPool(pool);
  [member, admin] = await Promise.all([
    createSignedInUser(`fuzz.member.${process.pid}@example.com`, []),
    createSignedInUser(`fuzz.admin.${process.pid}@example.com`, ['admin']),
  ]);
  server = await startResourceServer({
    poolEndpoint: pool.endpoint,
    userPool,
    stateDatabaseUrl: db.url,
    env: { LOG_LEVEL: 'debug' },
  });
}, 120_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  await Promise.all([pool?.stop(), db?.stop()]);
});

describe(`resource-server under fuzzed input (fast-check, seed ${SEED}, ${RUNS} runs a property)`, () => {
  it('fuzzes every route the source declares', () => {
    expect(ROUTES.map(({ route }) => route).sort()).toEqual(declaredRoutes().sort());
  });

  describe.each(ROUTES)('$route', ({ route, protected: isProtected }) => {
    it(
      'never answers 5xx, never echoes a token, answers errors in the house shape, and admits no token the pool never issued',
      async () => {
        const [method = 'GET', target = '/'] = route.split(' ');
        await fc.assert(
          fc.asyncProperty(reportable(requestsTo(pathVariant(target), method)), (generated) =>
            checkHouseRules(isProtected, generated),
          ),
          { seed: SEED, numRuns: RUNS },
        );
      },
      FUZZ_TIMEOUT_MS,
    );
  });

  it(
    'answers every other path in the house shape',
    async () => {
      const paths = fc.oneof(
        fc
          .array(pathSegment(oddText), { minLength: 1, maxLength: 4 })
          .map((s) => `/${s.join('/')}`),
        fc
          .array(pathSegment(oddText), { minLength: 1, maxLength: 3 })
          .map((s) => `/v1/api/${s.join('/')}`),
      );
      await fc.assert(
        fc.asyncProperty(reportable(requestsTo(paths, 'GET')), (generated) =>
          checkHouseRules(false, generated),
        ),
        { seed: SEED + 1, numRuns: RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('never wrote a token it was sent to its log', () => {
    const log = server.process.output();
    expect(sentSecrets.size).toBeGreaterThan(50);
    expect(sentSecrets.foundIn(log)).toEqual([]);
  });
});
