import http from 'node:http';
import fc from 'fast-check';

/**
 * Property-based fuzzing of the servers' HTTP input (fast-check): the arbitraries that make
 * hostile requests, a client that sends them exactly as made, and the rules every answer
 * must keep. The servers' fuzz suites build their route-specific requests from these.
 */

/** Secrets shorter than this are not looked for in answers: they could occur there by chance. */
const MIN_SECRET_LENGTH = 8;

/** A request as it goes on the wire, and what the answer must never contain. */
export interface FuzzRequest {
  method: string;
  /** The request target, path and query, sent as it is (already percent-encoded or not). */
  target: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** The passwords, tokens and codes the request carries. */
  secrets: readonly string[];
}

export interface FuzzAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * Sends `request` to `origin` on a new connection, byte for byte: no header or body is
 * added or normalised but Content-Length (and Host).
 */
export function sendRaw(origin: string, request: FuzzRequest): Promise<FuzzAnswer> {
  const { hostname, port } = new URL(origin);
  const body =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? Buffer.from(request.body, 'utf8')
        : Buffer.from(request.body);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: hostname,
        port,
        method: request.method,
        path: request.target,
        agent: false,
        headers: {
          ...request.headers,
          ...(body === undefined ? {} : { 'content-length': String(body.length) }),
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', reject);
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    // A server may answer (413, 415) and close before reading the whole body: an error after
    // the answer arrived changes nothing.
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export interface HouseRules {
  /** Fields an error body may carry besides code, message and requestId, by error code. */
  extraErrorFields?: Record<string, readonly string[]>;
}

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const JSON_CONTENT_TYPE = /^application\/json(?:\s*;|$)/i;
const ERROR_FIELDS = ['code', 'message', 'requestId'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function errorBodyProblems(body: unknown, requestId: unknown, rules: HouseRules): string[] {
  if (!isRecord(body) || !isRecord(body.error) || Object.keys(body).length !== 1) {
    return ['the error body is not {"error":{...}}'];
  }
  const { code, message, requestId: bodyRequestId } = body.error;
  const problems: string[] = [];
  if (typeof code !== 'string' || !SNAKE_CASE.test(code)) {
    problems.push(`error.code ${JSON.stringify(code)} is not a snake_case string`);
  }
  if (typeof message !== 'string' || message === '') problems.push('error.message is not text');
  if (typeof bodyRequestId !== 'string' || bodyRequestId !== requestId) {
    problems.push(`error.requestId ${JSON.stringify(bodyRequestId)} is not X-Request-Id`);
  }
  const allowed = new Set([
    ...ERROR_FIELDS,
    ...(typeof code === 'string' ? (rules.extraErrorFields?.[code] ?? []) : []),
  ]);
  const extra = Object.keys(body.error).filter((field) => !allowed.has(field));
  if (extra.length > 0) problems.push(`the error body has extra fields: ${extra.join(', ')}`);
  return problems;
}

function stringsIn(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') found.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, found);
  else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      found.push(key);
      stringsIn(item, found);
    }
  }
  return found;
}

/**
 * The secrets of the request worth looking for: long enough not to occur by chance, and not
 * also sent in the open (in the target or another header, e.g. as the X-Request-Id, which the
 * server rightly repeats).
 */
export function distinctSecrets(request: FuzzRequest): string[] {
  const open = [
    request.target,
    ...Object.entries(request.headers)
      .filter(([name]) => name.toLowerCase() !== 'authorization')
      .map(([, value]) => value),
  ];
  return [...new Set(request.secrets)].filter(
    (secret) => secret.length >= MIN_SECRET_LENGTH && !open.some((place) => place.includes(secret)),
  );
}

/** Every secret a fuzz suite sent, to look for in a server's log at the end. */
export class SentSecrets {
  readonly #secrets = new Set<string>();
  readonly #open: string[] = [];

  /** Keeps the request's secrets, and what it sent in the open (target, other headers). */
  record(request: FuzzRequest): void {
    for (const secret of distinctSecrets(request)) this.#secrets.add(secret);
    this.#open.push(
      request.target,
      ...Object.entries(request.headers)
        .filter(([name]) => name.toLowerCase() !== 'authorization')
        .map(([, value]) => value),
    );
  }

  get size(): number {
    return this.#secrets.size;
  }

  /** The secrets `text` holds, but those another request sent in the open (its X-Request-Id, say). */
  foundIn(text: string): string[] {
    const open = this.#open.join('\n');
    return [...this.#secrets].filter((secret) => text.includes(secret) && !open.includes(secret));
  }
}

/** The secrets of the request that the answer repeats, in its headers or body. */
function echoedSecrets(request: FuzzRequest, answer: FuzzAnswer, body?: unknown): string[] {
  const places = [
    answer.text,
    ...Object.values(answer.headers).flatMap((value) => value ?? []),
    ...stringsIn(body),
  ];
  return distinctSecrets(request).filter((secret) =>
    places.some((place) => place.includes(secret)),
  );
}

/**
 * Every rule of the house the answer breaks (none: an empty list): no 5xx; `X-Request-Id` on
 * every answer; a body, if any, is JSON with a JSON Content-Type; an error (4xx) body is
 * exactly `{"error":{"code":<snake_case>,"message","requestId":<X-Request-Id>}}`; and no
 * password, token or code of the request comes back.
 */
export function houseRuleProblems(
  request: FuzzRequest,
  answer: FuzzAnswer,
  rules: HouseRules = {},
): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`answered ${answer.status}`);
  const requestId = answer.headers['x-request-id'];
  if (typeof requestId !== 'string' || requestId === '') problems.push('no X-Request-Id');
  let body: unknown;
  if (answer.text !== '') {
    const type = answer.headers['content-type'] ?? '';
    if (!JSON_CONTENT_TYPE.test(type)) problems.push(`Content-Type "${type}" is not JSON`);
    try {
      body = JSON.parse(answer.text);
    } catch {
      problems.push('the body is not JSON');
    }
  } else if (answer.status >= 400) {
    problems.push('an error without a body');
  }
  if (answer.status >= 400 && body !== undefined) {
    problems.push(...errorBodyProblems(body, requestId, rules));
  }
  for (const secret of echoedSecrets(request, answer, body)) {
    problems.push(`echoes a secret it was sent: ${JSON.stringify(secret.slice(0, 60))}`);
  }
  return problems;
}

/** The problems with the answer that shows them, for a property's failure message. */
export function describeFailure(problems: readonly string[], answer: FuzzAnswer): string {
  const headers = Object.entries(answer.headers)
    .filter(([name]) => /^(content-type|x-request-id|www-authenticate|retry-after)$/.test(name))
    .map(([name, value]) => `${name}: ${String(value)}`)
    .join('; ');
  return `${problems.join('; ')}\n  answer: ${answer.status} (${headers}) ${answer.text.slice(0, 500)}`;
}

/** Strings longer than this are cut in printed counterexamples. */
const PRINTED_STRING_LENGTH = 160;

function abbreviated(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length <= PRINTED_STRING_LENGTH
      ? value
      : `${value.slice(0, PRINTED_STRING_LENGTH / 2)}…(${value.length} characters)`;
  }
  if (Array.isArray(value)) return value.map(abbreviated);
  if (isRecord(value) && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, abbreviated(item)]));
  }
  return value;
}

/**
 * `requests` ready for `fc.assert` against a live server: shrinking bounded to `maxShrinks`
 * requests, and counterexamples printed with long strings cut (the printed seed and path
 * replay them whole).
 */
export function reportable<T extends object>(
  requests: fc.Arbitrary<T>,
  maxShrinks = 100,
): fc.Arbitrary<T> {
  return fc.limitShrink(requests, maxShrinks).map((value) => ({
    ...value,
    [fc.toStringMethod]: () => fc.stringify(abbreviated(value)),
  }));
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** One UTF-16 surrogate alone: a string holding it is not well-formed UTF-16. */
export const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((unit) => String.fromCharCode(unit));

/** Text units: any code point, lone surrogates, and characters that break naive handling. */
const textUnit = fc.oneof(
  { weight: 10, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\u0000',
      '\n',
      '\r',
      '\t',
      '"',
      '\\',
      '%',
      '/',
      '@',
      '\u202e',
      '\ufeff',
      '\u200b',
      '\u0130',
      '\u00df',
      '\ufb03',
      '\ud83d\ude00',
      '\u0301',
    ),
  },
);

/** Text of `length` made by repeating `seed` (hundreds to tens of thousands of characters). */
const hugeText = fc
  .tuple(
    fc.string({ unit: textUnit, minLength: 1, maxLength: 3 }),
    fc.integer({ min: 200, max: 20_000 }),
  )
  .map(([seed, length]) => seed.repeat(Math.ceil(length / seed.length)).slice(0, length));

/** Arbitrary text: odd code points, lone surrogates, huge strings, and strings that mean things. */
export const oddText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: textUnit, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: hugeText },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'null',
      'true',
      '0',
      '-1',
      '1e309',
      'NaN',
      '[]',
      '{}',
      '__proto__',
      'constructor',
      '%00',
      '../../etc/passwd',
      '<script>alert(1)</script>',
      "' OR '1'='1' --",
      '${jndi:ldap://x}',
    ),
  },
);

/** Any JSON value, strings and keys of odd text, up to a few levels deep. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: textUnit }) },
  { weight: 2, arbitrary: oddText },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      null,
      -0,
      1e308,
      Number.MAX_SAFE_INTEGER + 2,
      -1,
      0.5,
      [],
      {},
      [null],
      JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{}}}') as unknown,
    ),
  },
);

/** `value` as one base64url segment of JSON, as in a JWT. */
const base64UrlJson = (value: unknown): string =>
  Buffer.from(JSON.stringify(value) ?? 'null', 'utf8').toString('base64url');

/** Claims that look like a Cognito token's, with odd values. */
const claimsLike = fc.record(
  {
    sub: anyJson,
    iss: fc.oneof(oddText, fc.constant('https://cognito-idp.us-east-1.amazonaws.com/x')),
    token_use: fc.oneof(fc.constantFrom('access', 'id', 'refresh'), anyJson),
    client_id: anyJson,
    aud: anyJson,
    exp: fc.oneof(fc.integer(), anyJson),
    iat: fc.oneof(fc.integer(), anyJson),
    scope: anyJson,
    username: anyJson,
    'cognito:groups': fc.oneof(fc.array(oddText, { maxLength: 3 }), anyJson),
    email: anyJson,
  },
  { requiredKeys: [] },
);

/** Strings shaped like a JWT (three base64url segments) that no pool signed, `alg: none` among them. */
export const jwtLike: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      fc.record(
        {
          alg: fc.oneof(
            fc.constantFrom('none', 'None', 'HS256', 'RS256', 'ES256', 'RS512'),
            anyJson,
          ),
          kid: anyJson,
          typ: fc.constantFrom('JWT', 'at+jwt'),
          jku: fc.constant('http://127.0.0.1:1/jwks.json'),
          crit: fc.constant(['exp']),
        },
        { requiredKeys: ['alg'] },
      ),
      anyJson,
    ),
    fc.oneof({ weight: 3, arbitrary: claimsLike }, { weight: 1, arbitrary: anyJson }),
    fc.oneof(
      fc.constant(''),
      fc.base64String({ maxLength: 400 }).map((text) => text.replace(/[+/=]/g, '')),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,400}$/),
    ),
  )
  .map(([header, payload, signature]) =>
    [base64UrlJson(header), base64UrlJson(payload), signature].join('.'),
  );

/** The claims (payload) of a compact JWT. */
export function claimsOf(token: string): Record<string, unknown> {
  const payload: unknown = JSON.parse(
    Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
  );
  return isRecord(payload) ? payload : {};
}

/**
 * Real tokens with one to three claims changed to arbitrary JSON, removed or added, then
 * signed again by `sign` (with the pool's own key, say): a real signature over odd claims.
 */
export function resignedTokens(
  tokens: readonly string[],
  sign: (claims: Record<string, unknown>, original: string) => string,
): fc.Arbitrary<string> {
  const names = [...new Set(tokens.flatMap((token) => Object.keys(claimsOf(token)))), 'extra'];
  const edit = fc.tuple(fc.constantFrom(...names), fc.option(anyJson, { nil: undefined }));
  return fc
    .tuple(fc.constantFrom(...tokens), fc.array(edit, { minLength: 1, maxLength: 3 }))
    .map(([token, edits]) => {
      const claims = new Map(Object.entries(claimsOf(token)));
      for (const [name, value] of edits) {
        if (value === undefined) claims.delete(name);
        else claims.set(name, value);
      }
      return sign(Object.fromEntries(claims), token);
    });
}

/** Text that is a valid HTTP header value (Node sends Latin-1 bytes, never CR or LF). */
const headerText: fc.Arbitrary<string> = fc.string({
  unit: fc
    .oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
      { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
      { weight: 1, arbitrary: fc.constant(0x09) },
    )
    .map((code) => String.fromCharCode(code)),
  maxLength: 80,
});

/** One real token changed by a character, cut, doubled or wrapped: never valid. */
const tamperedToken = (tokens: readonly string[]): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom(...tokens), fc.nat(), fc.constantFrom('flip', 'cut', 'double', 'swap'))
    .map(([token, at, how]) => {
      // Never the last character of a segment: its low bits may be padding, the same bytes.
      let index = at % token.length;
      while (
        index > 0 &&
        (token[index] === '.' || token[index + 1] === '.' || index === token.length - 1)
      ) {
        index -= 1;
      }
      const [header = '', payload = '', signature = ''] = token.split('.');
      switch (how) {
        case 'flip': {
          const replacement = token[index] === 'A' ? 'B' : 'A';
          return `${token.slice(0, index)}${replacement}${token.slice(index + 1)}`;
        }
        case 'cut':
          return token.slice(0, index);
        case 'double':
          return `${token}.${token}`;
        case 'swap':
          return `${payload}.${header}.${signature}`;
      }
    });

export interface AuthorizationSources {
  /** Real tokens the pool issued (valid ones, for the right or the wrong route). */
  real: readonly string[];
  /** Tokens signed with the pool's own key (e.g. claims changed): real signatures, odd claims. */
  poolSigned?: fc.Arbitrary<string>;
}

/** What a generated Authorization header carries, to tell what the server may accept. */
export type CredentialKind = 'none' | 'real' | 'pool-signed' | 'forged';

export interface Authorization {
  kind: CredentialKind;
  /** The header value; undefined sends no Authorization header. */
  header: string | undefined;
}

/**
 * Authorization headers: none, garbage, other schemes, `Bearer <random>`, JWT-looking strings
 * no pool signed (`alg: none` among them), real tokens tampered with, over-long ones, and the
 * real and pool-signed tokens given.
 */
export function authorizationHeader(sources: AuthorizationSources): fc.Arbitrary<Authorization> {
  const forged = (header: fc.Arbitrary<string>) =>
    header.map((value): Authorization => ({ kind: 'forged', header: value }));
  const scheme = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Bearer ', 'Basic', 'Token', '');
  const options: fc.WeightedArbitrary<Authorization>[] = [
    { weight: 2, arbitrary: fc.constant({ kind: 'none', header: undefined }) },
    { weight: 1, arbitrary: forged(headerText) },
    {
      weight: 2,
      arbitrary: forged(fc.tuple(scheme, headerText).map(([name, rest]) => `${name} ${rest}`)),
    },
    {
      weight: 3,
      arbitrary: forged(fc.tuple(scheme, jwtLike).map(([name, jwt]) => `${name} ${jwt}`)),
    },
    {
      weight: 1,
      arbitrary: forged(
        fc
          .integer({ min: 8_000, max: 20_000 })
          .map((length) => `Bearer ${'eyJ'.padEnd(length, 'A')}.e30.c2ln`),
      ),
    },
  ];
  if (sources.real.length > 0) {
    options.push(
      {
        weight: 3,
        arbitrary: fc
          .constantFrom(...sources.real)
          .map((token): Authorization => ({ kind: 'real', header: `Bearer ${token}` })),
      },
      {
        weight: 2,
        arbitrary: forged(tamperedToken(sources.real).map((token) => `Bearer ${token}`)),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...sources.real), fc.constantFrom('Basic', 'Token', 'Bearer,'))
          .map(([token, name]): Authorization => ({ kind: 'forged', header: `${name} ${token}` })),
      },
    );
  }
  if (sources.poolSigned) {
    options.push({
      weight: 3,
      arbitrary: sources.poolSigned.map((token): Authorization => ({
        kind: 'pool-signed',
        header: `Bearer ${token}`,
      })),
    });
  }
  return fc.oneof(...options);
}

/** Content-Type headers: JSON in its spellings, other types, bad charsets and garbage (undefined: none). */
export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json;charset="UTF-8"',
      'APPLICATION/JSON',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json; charset=x-unknown',
      'application/json; charset=',
      'application/merge-patch+json',
      'application/vnd.api+json',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '*/*',
      'application/',
      ';',
      '',
    ),
  },
  { weight: 1, arbitrary: headerText },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Bodies that are not JSON, or not quite: bytes, broken JSON, invalid UTF-8, deep nesting, > 16 kB. */
export const rawBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.string({ unit: textUnit, maxLength: 60 }),
  fc.constantFrom(
    '{',
    '{"email":',
    '[1,2',
    '{"a":1}{"b":2}',
    "{'email':'a@example.com'}",
    '\ufeff{}',
    'null',
    'NaN',
    '"text"',
    '{"email":"a@example.com",}',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    'email=a%40example.com&password=x',
  ),
  fc.constantFrom(
    // {"a":"<CESU-8 surrogate>"}, {"a":"<overlong />"}, a UTF-16LE BOM and text
    Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
    Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]),
    Uint8Array.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
  ),
  fc.integer({ min: 100, max: 5_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc
    .integer({ min: 16 * 1024, max: 48 * 1024 })
    .map((length) => `{"email":"${'a'.repeat(length)}"}`),
);

/** Text percent-encoded as UTF-8 (lone surrogates too, as U+FFFD), every byte but the unreserved. */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** Escapes only what cannot go on a request line, keeping `%`, `@`, `+` and other odd characters raw. */
function looselyEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      byte <= 0x20 || byte >= 0x7f || byte === 0x2f || byte === 0x3f || byte === 0x23
        ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
        : String.fromCharCode(byte),
    )
    .join('');
}

/** One path segment: `plausible` values encoded well or loosely, odd text, and broken percent-encoding. */
export function pathSegment(plausible: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: plausible.map(percentEncode) },
    { weight: 2, arbitrary: plausible.map(looselyEncoded) },
    { weight: 2, arbitrary: oddText.map(percentEncode) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%E0%A4%A',
        '%C0%AF',
        '%ED%A0%80',
        '%FF',
        '%00',
        '%2F',
        '%2e%2e',
        '..',
        '.',
        '%25',
        '%u0041',
      ),
    },
  );
}

/** A query string (with its `?`), or none: odd names and values, repeated names, tokens. */
export function queryString(
  known: Record<string, fc.Arbitrary<string>> = {},
): fc.Arbitrary<string> {
  const names = Object.keys(known);
  const pair = fc.oneof(
    ...(names.length > 0
      ? [
          {
            weight: 4,
            arbitrary: fc
              .constantFrom(...names)
              .chain((name) =>
                (known[name] ?? oddText).map((value) => `${name}=${percentEncode(value)}`),
              ),
          },
        ]
      : []),
    {
      weight: 1,
      arbitrary: fc
        .tuple(oddText, oddText)
        .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('a', '=', '&', 'a[b]=c', 'a[]=1&a[]=2', '%zz=1', 'access_token=x'),
    },
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    {
      weight: 2,
      arbitrary: fc
        .array(pair, { minLength: 1, maxLength: 4 })
        .map((pairs) => `?${pairs.join('&')}`),
    },
  );
}

/** X-Request-Id headers a client might send: sane ones, odd ones, long ones (undefined: none). */
export const requestIdHeader: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/) },
  { weight: 1, arbitrary: headerText },
  { weight: 1, arbitrary: fc.constant('x'.repeat(300)) },
);

/**
 * Every string in `value` under a key that names a secret (password, token, session, code,
 * secret), at any depth: what the answer must never repeat.
 */
export function secretsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) secretsIn(item, found);
  else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === 'string' && /password|token|session|code|secret/i.test(key)) {
        found.push(item);
      } else secretsIn(item, found);
    }
  }
  return found;
}
