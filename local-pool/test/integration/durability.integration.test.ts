import { setTimeout as sleep } from 'node:timers/promises';
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createTestUserPool,
  startLocalPool,
  type LocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';

const ROUNDS = 10;
const WRITERS = 3;

let pool: LocalPool;
let userPool: TestUserPool;

beforeAll(async () => {
  pool = await startLocalPool();
  userPool = await createTestUserPool(pool);
});

afterAll(async () => {
  await pool.stop();
});

async function allEmails(): Promise<Set<string>> {
  const emails = new Set<string>();
  let PaginationToken: string | undefined;
  do {
    const page = await pool.client.send(
      new ListUsersCommand({ UserPoolId: userPool.userPoolId, Limit: 60, PaginationToken }),
    );
    for (const user of page.Users ?? []) {
      const email = user.Attributes?.find((attribute) => attribute.Name === 'email')?.Value;
      if (email) emails.add(email);
    }
    PaginationToken = page.PaginationToken;
  } while (PaginationToken);
  return emails;
}

/** Creates users until a call fails (the process was killed), recording each acknowledged one. */
async function writer(round: number, id: number, acknowledged: string[]): Promise<void> {
  // One attempt only: a retry could not tell whether the first try was acknowledged.
  const client = new CognitoIdentityProviderClient({
    endpoint: pool.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  for (let n = 0; ; n += 1) {
    const email = `durable.r${round}.w${id}.${n}@example.com`;
    try {
      await client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPool.userPoolId,
          Username: email,
          TemporaryPassword: 'Temp-Passw0rd!',
          MessageAction: 'SUPPRESS',
        }),
      );
      acknowledged.push(email);
    } catch {
      client.destroy();
      return;
    }
  }
}

describe('durability', () => {
  it(`loses no acknowledged user when SIGKILLed during writes (${ROUNDS} rounds)`, async () => {
    const acknowledged: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const before = acknowledged.length;
      const writers = Array.from({ length: WRITERS }, (_, id) => writer(round, id, acknowledged));
      // Let some writes land, then kill at a random moment while the others are in flight.
      while (acknowledged.length - before < WRITERS) await sleep(10);
      await sleep(Math.floor(Math.random() * 100));
      await pool.stop('SIGKILL');
      await Promise.all(writers);
      await pool.restart();
      const present = await allEmails();
      const lost = acknowledged.filter((email) => !present.has(email));
      expect({ round, lost }).toEqual({ round, lost: [] });
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(ROUNDS * WRITERS);
  });
});
