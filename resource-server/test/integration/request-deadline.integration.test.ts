import path from 'node:path';
import {
  getFreePort,
  parseRawHttpResponse,
  rawHttpExchange,
  startProcess,
  type StartedProcess,
} from '@authstack/shared/testing';
import { JwksServer } from '../support/jwks-server';
import { CLIENT_ID } from '../support/test-app';
import { createTestKey } from '../support/tokens';

const SERVER = path.join(__dirname, '../../dist/server.js');

let jwks: JwksServer;
let server: StartedProcess;
let port: number;

beforeAll(async () => {
  jwks = await new JwksServer([createTestKey()]).start();
  port = await getFreePort();
  server = await startProcess({
    script: SERVER,
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      USER_POOL_ID: jwks.poolId,
      USER_POOL_CLIENT_ID: CLIENT_ID,
      TOKEN_ISSUER: jwks.issuer,
      ALLOW_INSECURE_JWKS: 'true',
      REQUEST_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'info',
    },
    readyUrl: `http://127.0.0.1:${port}/readyz`,
  });
});

afterAll(async () => {
  await server?.stop('SIGKILL');
  await jwks?.stop();
});

describe('resource-server process: REQUEST_TIMEOUT_MS', () => {
  it('answers headers that never end with a JSON 408 request_timeout', async () => {
    const raw = await rawHttpExchange(port, [
      'GET /v1/api/users/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ',
    ]);
    const response = parseRawHttpResponse(raw);
    expect(response.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual({
      error: {
        code: 'request_timeout',
        message: expect.any(String) as string,
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      },
    });
  }, 30_000);
});
