import {
  constants,
  createSign,
  generateKeyPairSync,
  randomUUID,
  sign as cryptoSign,
} from 'node:crypto';
import request, { type Response } from 'supertest';
import { JwksServer } from '../support/jwks-server';
import { startTestApp, CLIENT_ID, type TestApp } from '../support/test-app';
import {
  accessTokenClaims,
  b64url,
  createTestKey,
  idTokenClaims,
  signHs256,
  signRs256,
  signedToken,
  unsigned,
  type TestKey,
} from '../support/tokens';

const ME = '/v1/api/users/me';

let poolKey: TestKey;
let attackerKey: TestKey;
let jwks: JwksServer;
let attacker: JwksServer;
let t: TestApp;

beforeAll(async () => {
  poolKey = createTestKey();
  attackerKey = createTestKey();
  jwks = await new JwksServer([poolKey]).start();
  attacker = await new JwksServer([attackerKey], 'us-east-1_Attacker1').start();
  // A JWKS max age far away: these tests move the clock to prove that no fetch is even tried.
  t = await startTestApp(jwks, { jwksMaxAgeSeconds: 30 * 86_400 });
});

afterAll(async () => {
  await jwks.stop();
  await attacker.stop();
});

const pool = () => ({ issuer: jwks.issuer, clientId: CLIENT_ID });
const idClaims = (overrides: Record<string, unknown> = {}) => idTokenClaims(pool(), overrides);
const accessClaims = (overrides: Record<string, unknown> = {}) =>
  accessTokenClaims(pool(), overrides);
const header = (extra: Record<string, unknown> = {}) => ({
  kid: poolKey.kid,
  alg: 'RS256',
  ...extra,
});

function get(path: string, authorization?: string) {
  const req = request(t.app).get(path);
  return authorization === undefined ? req : req.set('Authorization', authorization);
}

/** The one shape of every refusal: 401 invalid_token, RFC 6750 header, no token echoed. */
function expectInvalidToken(res: Response, token: string): void {
  expect(res.status).toBe(401);
  expect(res.body).toEqual({
    error: { code: 'invalid_token', message: expect.any(String), requestId: expect.any(String) },
  });
  expect(res.headers['www-authenticate']).toBe('Bearer realm="authstack", error="invalid_token"');
  expect(res.headers['x-request-id']).toBe(res.body.error.requestId);
  if (token.length > 0) expect(res.text).not.toContain(token);
}

/** Sends each token and expects each refused, with no request to any JWKS or attacker URL. */
async function expectAllRefusedOffline(tokens: string[], path = ME): Promise<void> {
  const before = jwks.requests.length;
  t.clock.advance(60); // a JWKS fetch would be allowed now, so "no fetch" means "none asked for"
  for (const token of tokens) expectInvalidToken(await get(path, `Bearer ${token}`), token);
  expect(jwks.requests.length).toBe(before);
  expect(attacker.requests).toEqual([]);
}

describe('requireAuth: a valid token', () => {
  it('answers GET /users/me from an ID token', async () => {
    const res = await get(ME, `Bearer ${signedToken(poolKey, idClaims())}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      sub: 'a1b2c3d4-0000-4000-8000-000000000001',
      email: 'alice@example.com',
      name: 'Alice Example',
      groups: ['admin'],
      tokenUse: 'id',
    });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers GET /users/me from an access token, with null email and name', async () => {
    const res = await get(ME, `Bearer ${signedToken(poolKey, accessClaims())}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: null, name: null, tokenUse: 'access' });
  });

  it('accepts the scheme in any case', async () => {
    const res = await get(ME, `bearer ${signedToken(poolKey, idClaims())}`);
    expect(res.status).toBe(200);
  });
});

describe('case 1: alg none', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])(
    'refuses alg %s with an empty, missing or copied signature',
    async (alg) => {
      const claims = idClaims();
      const real = signedToken(poolKey, claims).split('.')[2] as string;
      const noneToken = unsigned({ kid: poolKey.kid, alg }, claims);
      await expectAllRefusedOffline([
        noneToken,
        noneToken.slice(0, -1),
        `${noneToken}${real}`,
        unsigned({ alg }, claims),
      ]);
    },
  );
});

describe('case 2: broken structure', () => {
  it('refuses two parts, an empty or truncated signature, and garbage base64', async () => {
    const token = signedToken(poolKey, idClaims());
    const [h, p, s] = token.split('.') as [string, string, string];
    await expectAllRefusedOffline([
      `${h}.${p}`,
      `${h}.${p}.`,
      `${h}.${p}.${s.slice(0, -8)}`,
      `${h}.${p}.${s.slice(0, 20)}`,
      `${h}.${p}.${s}.${s}`,
      `${h}.${p}.***`,
      `%%%.${p}.${s}`,
      `${b64url('not json')}.${p}.${s}`,
      `${h}.${b64url('[1,2,3]')}.${s}`,
      `${h}.${b64url('"a string"')}.${s}`,
      'a.b.c',
    ]);
  });
});

describe('case 3: edited payload', () => {
  it('refuses a payload changed after signing', async () => {
    const token = signedToken(poolKey, idClaims({ 'cognito:groups': [] }));
    const [h, , s] = token.split('.') as [string, string, string];
    const forged = `${h}.${b64url(JSON.stringify(idClaims({ 'cognito:groups': ['admin'] })))}.${s}`;
    const before = jwks.requests.length;
    expectInvalidToken(await get('/v1/api/admin/overview', `Bearer ${forged}`), forged);
    expect(jwks.requests.length).toBe(before);
  });
});

describe('case 4: HMAC confusion', () => {
  it('refuses HS256 signed with the pool public key or a blank or common secret', async () => {
    const claims = idClaims();
    const hs = (secret: string) => signHs256({ kid: poolKey.kid, alg: 'HS256' }, claims, secret);
    await expectAllRefusedOffline([
      hs(poolKey.publicPem),
      hs(JSON.stringify(poolKey.publicJwk)),
      hs(poolKey.publicJwk.n),
      hs(''),
      hs('secret'),
      hs('password'),
    ]);
  });
});

describe('case 5: other algorithms', () => {
  it('refuses RS384, PS256 and ES256 headers where the key is RS256', async () => {
    const claims = idClaims();
    const input = (alg: string) =>
      `${b64url(JSON.stringify({ kid: poolKey.kid, alg }))}.${b64url(JSON.stringify(claims))}`;
    const rs384 = `${input('RS384')}.${createSign('RSA-SHA384').update(input('RS384')).sign(poolKey.privateKey).toString('base64url')}`;
    const ps256 = `${input('PS256')}.${cryptoSign('sha256', Buffer.from(input('PS256')), {
      key: poolKey.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
    }).toString('base64url')}`;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const es256 = `${input('ES256')}.${cryptoSign('sha256', Buffer.from(input('ES256')), {
      key: ec.privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url')}`;
    const rsUnderEs = `${input('ES256')}.${signedToken(poolKey, claims).split('.')[2]}`;
    await expectAllRefusedOffline([rs384, ps256, es256, rsUnderEs]);
  });
});

describe('case 7: missing or hostile kid', () => {
  it('refuses a missing, non-string or hostile kid without any lookup or delay', async () => {
    const claims = idClaims();
    const withKid = (kid: unknown) =>
      signRs256(
        kid === undefined ? { alg: 'RS256' } : { kid, alg: 'RS256' },
        claims,
        poolKey.privateKey,
      );
    await expectAllRefusedOffline([
      withKid(undefined),
      withKid(42),
      withKid({ $ne: null }),
      withKid(['a']),
      withKid(''),
      withKid('../../dev/null'),
      withKid('|sleep 10'),
      withKid('$(curl http://127.0.0.1/x)'),
      withKid("' OR '1'='1' --"),
      withKid('x'.repeat(200)),
    ]);
  });
});

describe('case 8: embedded keys and key URLs', () => {
  it('ignores jwk, jku, x5u and x5c headers: the attacker key does not verify, no URL is called', async () => {
    const claims = idClaims();
    const attackerUrl = attacker.jwksUrl;
    const forge = (extra: Record<string, unknown>, kid = poolKey.kid) =>
      signRs256({ kid, alg: 'RS256', ...extra }, claims, attackerKey.privateKey);
    const x5c = [attackerKey.publicPem.replace(/-----[A-Z ]+-----|\n/g, '')];
    await expectAllRefusedOffline([
      forge({ jwk: attackerKey.publicJwk }),
      forge({ jku: attackerUrl }),
      forge({ x5u: attackerUrl }),
      forge({ x5c }),
      forge({ jwk: attackerKey.publicJwk, jku: attackerUrl, x5u: attackerUrl, x5c }),
    ]);
  });

  it('refuses a token that marks a header extension critical', async () => {
    await expectAllRefusedOffline([
      signRs256(header({ crit: ['exp'] }), idClaims(), poolKey.privateKey),
      signRs256(header({ crit: [] }), idClaims(), poolKey.privateKey),
    ]);
  });

  it('looks an unknown kid up only in the configured JWKS, never at a jku', async () => {
    const forged = signRs256(
      { kid: attackerKey.kid, alg: 'RS256', jku: attacker.jwksUrl, x5u: attacker.jwksUrl },
      idClaims(),
      attackerKey.privateKey,
    );
    t.clock.advance(60);
    const before = jwks.jwksFetches;
    expectInvalidToken(await get(ME, `Bearer ${forged}`), forged);
    expect(jwks.jwksFetches).toBe(before + 1);
    expect(attacker.requests).toEqual([]);
  });
});

describe('case 9: time claims', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses exp past the skew, nbf or iat in the future, and times that are not numbers', async () => {
    await expectAllRefusedOffline(
      [
        idClaims({ exp: now() - 31 }),
        idClaims({ exp: now() - 3600 }),
        idClaims({ nbf: now() + 120 }),
        idClaims({ iat: now() + 120 }),
        idClaims({ exp: String(now() + 3600) }),
        idClaims({ exp: null }),
        idClaims({ exp: undefined }),
        idClaims({ nbf: String(now()) }),
        idClaims({ iat: String(now()) }),
        idClaims({ iat: undefined }),
        accessClaims({ exp: now() - 31 }),
      ].map((claims) => signedToken(poolKey, claims)),
    );
  });

  it('accepts exp, nbf and iat within the configured clock skew', async () => {
    const token = signedToken(
      poolKey,
      idClaims({ exp: now() - 10, nbf: now() + 10, iat: now() + 10 }),
    );
    expect((await get(ME, `Bearer ${token}`)).status).toBe(200);
  });
});

describe('case 10: issuer and audience', () => {
  it('refuses another pool or region, another app client as aud or client_id', async () => {
    const otherPool = jwks.issuer.replace('us-east-1_TestPool1', 'us-east-1_OtherPool');
    await expectAllRefusedOffline(
      [
        idClaims({ iss: otherPool }),
        idClaims({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_TestPool1' }),
        idClaims({ iss: `${jwks.issuer}/` }),
        idClaims({ iss: undefined }),
        idClaims({ aud: 'another-client' }),
        idClaims({ aud: undefined, client_id: CLIENT_ID }),
        idClaims({ aud: [CLIENT_ID, 'another-client'] }),
        accessClaims({ client_id: 'another-client' }),
        accessClaims({ client_id: undefined, aud: CLIENT_ID }),
      ].map((claims) => signedToken(poolKey, claims)),
    );
  });
});

describe('case 11: token use', () => {
  it('refuses an ID token where an access token is required', async () => {
    const token = signedToken(poolKey, idClaims());
    expectInvalidToken(await get('/v1/api/session', `Bearer ${token}`), token);
  });

  it('refuses a missing or unknown token_use', async () => {
    await expectAllRefusedOffline(
      [
        idClaims({ token_use: undefined }),
        idClaims({ token_use: 'refresh' }),
        idClaims({ token_use: ['id'] }),
        accessClaims({ token_use: 'ID' }),
      ].map((claims) => signedToken(poolKey, claims)),
    );
  });

  it.each([
    ['id', 'access'],
    ['access', 'id'],
  ] as const)('with ACCEPTED_TOKEN_USE=%s refuses a %s token', async (accepted, other) => {
    const strict = await startTestApp(jwks, { acceptedTokenUse: accepted });
    const claims = other === 'id' ? idClaims() : accessClaims();
    const good = signedToken(poolKey, accepted === 'id' ? idClaims() : accessClaims());
    const bad = signedToken(poolKey, claims);
    const res = await request(strict.app).get(ME).set('Authorization', `Bearer ${bad}`);
    expectInvalidToken(res, bad);
    const ok = await request(strict.app).get(ME).set('Authorization', `Bearer ${good}`);
    expect(ok.body.tokenUse).toBe(accepted);
  });
});

describe('case 12: authorization', () => {
  it('answers 403 forbidden to a valid token without the admin group', async () => {
    const token = signedToken(poolKey, idClaims({ 'cognito:groups': ['staff'] }));
    const res = await get('/v1/api/admin/overview', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="authstack", error="insufficient_scope"',
    );
    const noGroups = signedToken(poolKey, accessClaims({ 'cognito:groups': undefined }));
    expect((await get('/v1/api/admin/overview', `Bearer ${noGroups}`)).status).toBe(403);
  });

  it('answers the admin route to a member of admin', async () => {
    const res = await get('/v1/api/admin/overview', `Bearer ${signedToken(poolKey, idClaims())}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ area: 'admin', sub: expect.any(String), groups: ['admin'] });
  });

  it('answers 403 insufficient_scope to an access token without the custom scope', async () => {
    const token = signedToken(poolKey, accessClaims());
    const res = await get('/v1/api/reports', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('insufficient_scope');
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="authstack", error="insufficient_scope", scope="authstack/reports.read"',
    );
    const granted = signedToken(
      poolKey,
      accessClaims({ scope: 'aws.cognito.signin.user.admin authstack/reports.read' }),
    );
    expect((await get('/v1/api/reports', `Bearer ${granted}`)).status).toBe(200);
  });

  it('answers the session route to an access token with the user-pool scope', async () => {
    const res = await get('/v1/api/session', `Bearer ${signedToken(poolKey, accessClaims())}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      username: 'alice',
      clientId: CLIENT_ID,
      scopes: ['aws.cognito.signin.user.admin'],
    });
    const noScope = signedToken(poolKey, accessClaims({ scope: 'openid' }));
    expect((await get('/v1/api/session', `Bearer ${noScope}`)).status).toBe(403);
  });
});

describe('case 13: claim types and prototype pollution', () => {
  it('refuses claims of the wrong type', async () => {
    await expectAllRefusedOffline(
      [
        idClaims({ sub: 42 }),
        idClaims({ sub: '' }),
        idClaims({ sub: undefined }),
        idClaims({ 'cognito:groups': 'admin' }),
        idClaims({ 'cognito:groups': [1, 2] }),
        idClaims({ 'cognito:groups': { 0: 'admin' } }),
        idClaims({ email: { address: 'a@b.c' } }),
        idClaims({ name: ['Alice'] }),
        idClaims({ aud: 7 }),
        accessClaims({ scope: ['aws.cognito.signin.user.admin'] }),
        accessClaims({ client_id: 7 }),
      ].map((claims) => signedToken(poolKey, claims)),
    );
  });

  it('does not let __proto__ or constructor claims pollute objects or grant groups', async () => {
    const json = JSON.stringify(idClaims({ 'cognito:groups': undefined })).replace(
      /}$/,
      ',"__proto__":{"cognito:groups":["admin"],"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    );
    const input = `${b64url(JSON.stringify(header()))}.${b64url(json)}`;
    const token = `${input}.${createSign('RSA-SHA256').update(input).sign(poolKey.privateKey).toString('base64url')}`;

    const admin = await get('/v1/api/admin/overview', `Bearer ${token}`);
    expect(admin.status).toBe(403);
    const me = await get(ME, `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body.groups).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('cognito:groups');
  });
});

describe('case 14: oversized header', () => {
  it('answers 431 to an Authorization header over the limit, never 500', async () => {
    const res = await get(ME, `Bearer ${'a'.repeat(20_000)}.b.c`);
    expect(res.status).toBe(431);
  });

  it('refuses a large token under the limit as invalid', async () => {
    const token = signedToken(poolKey, idClaims({ padding: 'x'.repeat(8000) }));
    const forged = `${token.slice(0, -4)}AAAA`;
    await expectAllRefusedOffline([forged]);
  });
});

describe('case 15: no usable credentials', () => {
  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['the Basic scheme', 'Basic YWxpY2U6cGFzc3dvcmQ='],
    ['a bare token', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln'],
    ['the Bearerx scheme', 'Bearerx abc.def.ghi'],
  ])(
    'answers 401 missing_token to %s, with a Bearer challenge and no error code',
    async (_name, value) => {
      const res = await get(ME, value);
      expect(res.status).toBe(401);
      expect(res.body.error).toEqual({
        code: 'missing_token',
        message: expect.any(String),
        requestId: expect.any(String),
      });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="authstack"');
    },
  );

  it.each(['Bearer', 'Bearer ', 'Bearer    ', 'Bearer a b', 'Bearer {"alg":"none"}'])(
    'answers 401 invalid_token to "%s"',
    async (value) => {
      expectInvalidToken(await get(ME, value), '');
    },
  );

  it('never reads a token from the query string', async () => {
    const token = signedToken(poolKey, idClaims());
    const res = await get(`${ME}?access_token=${token}&id_token=${token}`);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('missing_token');
    expect(res.text).not.toContain(token);
  });
});

describe('logs', () => {
  it('hold no token and no Authorization header, whatever the outcome', async () => {
    const tokens = [
      signedToken(poolKey, idClaims({ jti: randomUUID() })),
      signedToken(poolKey, idClaims({ exp: 1 })),
      signedToken(attackerKey, idClaims()),
      signedToken(poolKey, accessClaims()),
    ];
    for (const token of tokens) {
      await get(ME, `Bearer ${token}`);
      await get('/v1/api/reports', `Bearer ${token}`);
    }
    const text = t.logs.text();
    expect(t.logs.records().length).toBeGreaterThan(8);
    for (const token of tokens) {
      for (const part of token.split('.')) expect(text).not.toContain(part);
    }
    expect(text.toLowerCase()).not.toContain('bearer');
    expect(text.toLowerCase()).not.toContain('authorization');
    expect(t.logs.records().some((line) => line.reason === 'expired')).toBe(true);
  });
});
