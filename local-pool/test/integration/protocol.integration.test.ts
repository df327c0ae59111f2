import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ensureUserPool } from '@authstack/local-pool';
import { startProcess } from '@authstack/shared/testing';
import { createTestUserPool, startLocalPool, type LocalPool } from '@authstack/local-pool/testing';
import { failureOf, rawCall, SIGV4_HEADER } from './helpers';

let pool: LocalPool;

let dataDir: string;

beforeAll(async () => {
  // A data directory of its own: the pool makes its signing keys itself (the harness gives the
  // ones it creates a pair made once).
  dataDir = mkdtempSync(join(tmpdir(), 'local-pool-protocol-'));
  pool = await startLocalPool({ dataDir });
});

afterAll(async () => {
  await pool.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local pool process', () => {
  it('answers GET /health with 200', async () => {
    const response = await fetch(`${pool.endpoint}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('makes its signing keys at the first start and keeps them in a 0600 file under the data directory', async () => {
    const kept = JSON.parse(readFileSync(join(dataDir, 'signing-keys.json'), 'utf8')) as {
      keys: { use: string }[];
    };
    expect(kept.keys.map((key) => key.use)).toEqual(['id', 'access']);
    const { jwksUrl } = await createTestUserPool(pool);
    const jwks = (await (await fetch(jwksUrl)).json()) as {
      keys: unknown[];
    };
    expect(jwks.keys).toHaveLength(2);
    expect(statSync(join(pool.dataDir, 'signing-keys.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(pool.dataDir, 'pool.sqlite')).mode & 0o777).toBe(0o600);
  });
});

describe('server process', () => {
  const script = resolve(__dirname, '../../dist/server.js');

  it('stops with one line naming a bad variable and exit code 1', () => {
    const result = spawnSync(process.execPath, [script], {
      env: {
        ...process.env,
        LOCAL_POOL_PORT: 'not-a-port',
        LOCAL_POOL_DATA_DIR: mkdtempSync(join(tmpdir(), 'lp-')),
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining('LOCAL_POOL_PORT')]);
  });

  it('listens on a free port when given 0 and names the real URL in the listening line', async () => {
    const started = await startProcess({
      script,
      env: {
        LOCAL_POOL_PORT: '0',
        LOCAL_POOL_DATA_DIR: mkdtempSync(join(tmpdir(), 'lp-')),
        LOG_LEVEL: 'info',
      },
      readyLine: /"msg":"local pool ready"/,
    });
    const listening = started
      .stdoutLines()
      .map((line) => JSON.parse(line) as { msg?: string; url?: string })
      .find((line) => line.msg === 'listening');
    expect(listening?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(listening?.url).not.toMatch(/:0$/);
    expect((await fetch(`${listening?.url ?? ''}/health`)).status).toBe(200);
    expect(await started.stop('SIGTERM')).toBe(0);
    expect(started.stdoutLines().every((line) => JSON.parse(line) !== null)).toBe(true);
  });
});

describe('CreateUserPool / DescribeUserPool / UpdateUserPool / ListUserPools', () => {
  it('creates a pool with a Cognito-format id and describes it with its settings', async () => {
    const created = await pool.client.send(
      new CreateUserPoolCommand({
        PoolName: 'describe-me',
        UsernameAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        AutoVerifiedAttributes: ['email'],
        Policies: { PasswordPolicy: { MinimumLength: 10, RequireNumbers: true } },
        Schema: [{ Name: 'tenant', AttributeDataType: 'String' }],
      }),
    );
    const id = created.UserPool?.Id ?? '';
    expect(id).toMatch(/^us-east-1_[0-9A-Za-z]{9}$/);
    const { UserPool } = await pool.client.send(new DescribeUserPoolCommand({ UserPoolId: id }));
    expect(UserPool).toMatchObject({
      Id: id,
      Name: 'describe-me',
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      AutoVerifiedAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 10,
          RequireNumbers: true,
          RequireUppercase: false,
          RequireSymbols: false,
        },
      },
      EstimatedNumberOfUsers: 0,
    });
    expect(UserPool?.SchemaAttributes?.map((attribute) => attribute.Name)).toContain(
      'custom:tenant',
    );
    expect(UserPool?.CreationDate).toBeInstanceOf(Date);
  });

  it('UpdateUserPool sets the LambdaConfig and resets what it is not given, as Cognito does', async () => {
    const { UserPool } = await pool.client.send(
      new CreateUserPoolCommand({
        PoolName: 'update-me',
        Policies: { PasswordPolicy: { MinimumLength: 12 } },
      }),
    );
    const UserPoolId = UserPool?.Id ?? '';
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:migrate';
    await pool.client.send(
      new UpdateUserPoolCommand({ UserPoolId, LambdaConfig: { UserMigration: arn } }),
    );
    const after = await pool.client.send(new DescribeUserPoolCommand({ UserPoolId }));
    expect(after.UserPool?.LambdaConfig).toEqual({ UserMigration: arn });
    expect(after.UserPool?.Policies?.PasswordPolicy?.MinimumLength).toBe(8);
  });

  it('ListUserPools pages with MaxResults and NextToken', async () => {
    for (let i = 0; i < 3; i += 1) {
      await pool.client.send(new CreateUserPoolCommand({ PoolName: `list-${i}` }));
    }
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await pool.client.send(new ListUserPoolsCommand({ MaxResults: 2, NextToken }));
      expect(page.UserPools?.length).toBeLessThanOrEqual(2);
      seen.push(...(page.UserPools ?? []).map((p) => p.Name ?? ''));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen).toEqual(expect.arrayContaining(['list-0', 'list-1', 'list-2']));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('DescribeUserPool of an unknown pool is ResourceNotFoundException', async () => {
    const error = await failureOf(
      pool.client.send(new DescribeUserPoolCommand({ UserPoolId: 'us-east-1_NoSuchOne' })),
    );
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
  });
});

describe('CreateUserPoolClient / DescribeUserPoolClient / ListUserPoolClients', () => {
  let UserPoolId: string;
  beforeAll(async () => {
    const { UserPool } = await pool.client.send(new CreateUserPoolCommand({ PoolName: 'clients' }));
    UserPoolId = UserPool?.Id ?? '';
  });

  it('creates a client with a 26-character id, a secret on request, and Cognito defaults', async () => {
    const { UserPoolClient } = await pool.client.send(
      new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'web', GenerateSecret: true }),
    );
    expect(UserPoolClient?.ClientId).toMatch(/^[a-z0-9]{26}$/);
    expect(UserPoolClient?.ClientSecret).toMatch(/^[a-z0-9]{51}$/);
    expect(UserPoolClient).toMatchObject({
      PreventUserExistenceErrors: 'LEGACY',
      RefreshTokenValidity: 30,
      EnableTokenRevocation: true,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    const described = await pool.client.send(
      new DescribeUserPoolClientCommand({ UserPoolId, ClientId: UserPoolClient?.ClientId }),
    );
    expect(described.UserPoolClient?.ClientSecret).toBe(UserPoolClient?.ClientSecret);
    const listed = await pool.client.send(new ListUserPoolClientsCommand({ UserPoolId }));
    expect(listed.UserPoolClients).toContainEqual({
      ClientId: UserPoolClient?.ClientId,
      UserPoolId,
      ClientName: 'web',
    });
  });

  it('refuses token lifetimes outside Cognito ranges', async () => {
    const error = await failureOf(
      pool.client.send(
        new CreateUserPoolClientCommand({
          UserPoolId,
          ClientName: 'short',
          AccessTokenValidity: 1,
          TokenValidityUnits: { AccessToken: 'minutes' },
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });
});

describe('ensureUserPool', () => {
  it('is idempotent by name and updates a changed UserMigration trigger', async () => {
    const options = { poolName: 'ensure-me', clientName: 'ensure-client', groups: ['admin'] };
    const first = await ensureUserPool(pool.client, options);
    const second = await ensureUserPool(pool.client, options);
    expect(second).toEqual(first);
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:legacy';
    await ensureUserPool(pool.client, { ...options, userMigrationLambdaArn: arn });
    const { UserPool } = await pool.client.send(
      new DescribeUserPoolCommand({ UserPoolId: first.userPoolId }),
    );
    expect(UserPool?.LambdaConfig?.UserMigration).toBe(arn);
    expect(UserPool?.UsernameAttributes).toEqual(['email']);
    const { UserPoolClient } = await pool.client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: first.userPoolId, ClientId: first.clientId }),
    );
    expect(UserPoolClient).toMatchObject({
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
    expect(UserPoolClient?.ExplicitAuthFlows).toEqual(
      expect.arrayContaining([
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_ADMIN_USER_PASSWORD_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ]),
    );
  });

  it('returns the client secret when asked to generate one, also on the second call', async () => {
    const options = { poolName: 'ensure-secret', clientName: 'c', generateSecret: true };
    const first = await ensureUserPool(pool.client, options);
    expect(first.clientSecret).toMatch(/^[a-z0-9]{51}$/);
    expect((await ensureUserPool(pool.client, options)).clientSecret).toBe(first.clientSecret);
  });
});

describe('bad input on the wire', () => {
  it('answers an unsupported operation with a 400 naming it', async () => {
    const response = await rawCall(pool.endpoint, 'DeleteUserPoolDomain', '{}', {
      authorization: SIGV4_HEADER,
    });
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe('UnknownOperationException');
    expect(response.body.message).toContain('DeleteUserPoolDomain');
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^UnknownOperationException/);
  });

  it('answers a missing or foreign X-Amz-Target with UnknownOperationException', async () => {
    expect((await rawCall(pool.endpoint, undefined, '{}')).body.__type).toBe(
      'UnknownOperationException',
    );
    const foreign = await fetch(pool.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: '{}',
    });
    expect(foreign.status).toBe(400);
  });

  it('answers malformed JSON and a non-object body with SerializationException', async () => {
    const broken = await rawCall(pool.endpoint, 'InitiateAuth', '{"ClientId": ');
    expect(broken).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
    const array = await rawCall(pool.endpoint, 'InitiateAuth', '[1,2]');
    expect(array).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
  });

  it('names a missing member in an InvalidParameterException', async () => {
    const response = await rawCall(
      pool.endpoint,
      'SignUp',
      '{"Username":"a@example.com","Password":"x"}',
    );
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      __type: 'InvalidParameterException',
      message:
        "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null",
    });
  });

  it('answers a member of the wrong type with SerializationException naming it', async () => {
    const response = await rawCall(
      pool.endpoint,
      'InitiateAuth',
      '{"ClientId": 42, "AuthFlow": "USER_PASSWORD_AUTH"}',
    );
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe('SerializationException');
    expect(response.body.message).toContain('clientId');
  });

  it('requires a SigV4 Authorization header on admin operations but not on public ones', async () => {
    const admin = await rawCall(pool.endpoint, 'ListUserPools', '{"MaxResults": 1}');
    expect(admin).toMatchObject({
      status: 400,
      body: { __type: 'MissingAuthenticationTokenException' },
    });
    const signed = await rawCall(pool.endpoint, 'ListUserPools', '{"MaxResults": 1}', {
      authorization: SIGV4_HEADER,
    });
    expect(signed.status).toBe(200);
    const open = await rawCall(pool.endpoint, 'GetUser', '{"AccessToken": "x.y.z"}');
    expect(open.body.__type).toBe('NotAuthorizedException');
  });

  it('answers an oversized body with a 4xx, not a 5xx', async () => {
    const response = await rawCall(
      pool.endpoint,
      'SignUp',
      JSON.stringify({ pad: 'x'.repeat(300_000) }),
    );
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe('SerializationException');
  });
});

describe('local outbox', () => {
  it('requires the to parameter', async () => {
    const response = await fetch(`${pool.endpoint}/_local/messages`);
    expect(response.status).toBe(400);
  });
});
