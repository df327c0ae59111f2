import path from 'node:path';
import {
  getFreePort,
  parseRawHttpResponse,
  rawHttpExchange,
  startProcess,
  type StartedProcess,
} from '@authstack/shared/testing';

const SERVER = path.join(__dirname, '../../dist/server.js');

let server: StartedProcess;
let port: number;

// REQUEST_TIMEOUT_MS bounds how long a request may take to arrive; no route is reached, so a
// user pool that does not answer is enough.
beforeAll(async () => {
  port = await getFreePort();
  const nowhere = await getFreePort();
  server = await startProcess({
    script: SERVER,
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      COGNITO_ENDPOINT: `http://127.0.0.1:${nowhere}`,
      USER_POOL_ID: 'us-east-1_Deadline1',
      USER_POOL_CLIENT_ID: 'deadlineclient',
      REQUEST_TIMEOUT_MS: '1000',
      LOG_LEVEL: 'info',
    },
    readyUrl: `http://127.0.0.1:${port}/healthz`,
  });
});

afterAll(async () => {
  await server?.stop('SIGKILL');
});

describe('auth-server process: REQUEST_TIMEOUT_MS', () => {
  it('answers a sign-in whose body stalls with a JSON 408 request_timeout carrying its request id', async () => {
    const raw = await rawHttpExchange(port, [
      'POST /v1/api/user/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 1000\r\nX-Request-Id: stalled-signin\r\n\r\n{"email":"a@example.com",',
    ]);
    const response = parseRawHttpResponse(raw);
    expect(response.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual({
      error: {
        code: 'request_timeout',
        message: expect.any(String) as string,
        requestId: 'stalled-signin',
      },
    });
  }, 30_000);
});
