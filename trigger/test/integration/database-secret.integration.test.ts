import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { LEGACY_STORE_UNAVAILABLE_MESSAGE } from '@authstack/shared';
import {
  freshLegacyDatabase,
  startTriggerInvokeServer,
  type FreshLegacyDatabase,
  type TriggerInvokeServer,
} from '../../src/testing';
import { invokeFunction, lambdaClient } from '../support/lambda';
import { migrationEvent } from '../support/fakes';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:legacy-db-AbCdEf';

/** A Secrets Manager endpoint speaking the real AWS JSON 1.1 protocol, for one secret. */
class FakeSecretsManager {
  readonly requests: { target: string; secretId: unknown }[] = [];
  secretString: string | undefined;
  #server: Server | undefined;

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target']);
        const { SecretId } = JSON.parse(body) as { SecretId?: unknown };
        this.requests.push({ target, secretId: SecretId });
        res.setHeader('Content-Type', 'application/x-amz-json-1.1');
        if (
          target !== 'secretsmanager.GetSecretValue' ||
          SecretId !== SECRET_ARN ||
          !this.secretString
        ) {
          res.statusCode = 400;
          res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }));
          return;
        }
        res.end(
          JSON.stringify({ ARN: SECRET_ARN, Name: 'legacy-db', SecretString: this.secretString }),
        );
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}

describe('the trigger with LEGACY_DATABASE_SECRET_ARN (no URL in its environment)', () => {
  let db: FreshLegacyDatabase;
  const secrets = new FakeSecretsManager();
  let trigger: TriggerInvokeServer;
  let lambda: LambdaClient;

  beforeAll(async () => {
    db = await freshLegacyDatabase();
    const secretsEndpoint = await secrets.start();
    trigger = await startTriggerInvokeServer({
      env: {
        LEGACY_DATABASE_SECRET_ARN: SECRET_ARN,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEndpoint,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
    });
    lambda = lambdaClient(trigger.endpoint);
  });

  afterAll(async () => {
    lambda?.destroy();
    await trigger?.stop();
    await secrets.stop();
    await db?.stop();
  });

  it('fails the sign-in as "cannot check right now" (and is not ready) while the secret cannot be read, then reads it and migrates', async () => {
    const event = migrationEvent(
      'UserMigration_Authentication',
      'legacy@example.com',
      'Legacy-Passw0rd!',
    );
    const refused = await invokeFunction(lambda, trigger.functionName, event);
    expect(refused.output.FunctionError).toBe('Unhandled');
    expect(refused.payload).toMatchObject({
      errorType: 'LegacyStoreUnavailable',
      errorMessage: LEGACY_STORE_UNAVAILABLE_MESSAGE,
    });
    expect(JSON.stringify(refused.payload)).not.toContain('postgres://');
    const notReady = await fetch(`${trigger.endpoint}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ error: { code: 'upstream_unavailable' } });

    secrets.secretString = db.url;
    const migrated = await invokeFunction(lambda, trigger.functionName, event);
    expect(migrated.output.FunctionError).toBeUndefined();
    expect(migrated.payload.response).toMatchObject({
      finalUserStatus: 'CONFIRMED',
      userAttributes: { email: 'legacy@example.com', name: 'Legacy User' },
    });

    await invokeFunction(lambda, trigger.functionName, event);
    expect((await fetch(`${trigger.endpoint}/readyz`)).status).toBe(200);
    const reads = secrets.requests.filter((request) => request.secretId === SECRET_ARN);
    // Until it is read, each invocation and readiness check tries again; then never again.
    expect(reads.map((request) => request.target)).toEqual([
      'secretsmanager.GetSecretValue',
      'secretsmanager.GetSecretValue',
      'secretsmanager.GetSecretValue',
    ]);
    expect(trigger.process.output()).not.toContain(db.url);
  });
});
