import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LegacyUser {
  password: string;
  name: string;
  /** RESET_REQUIRED: the pool makes the user reset the password before signing in. */
  finalUserStatus: 'CONFIRMED' | 'RESET_REQUIRED';
}

interface MigrationEvent {
  triggerSource: string;
  userName: string;
  request: { password?: string };
  response: Record<string, unknown>;
}

export interface FakeMigrationLambda {
  /** The Lambda Invoke API base URL to give the local pool. */
  endpoint: string;
  invocations: { triggerSource: string; userName: string }[];
  close(): Promise<void>;
}

/**
 * A stand-in UserMigration function behind the Lambda Invoke API
 * (`POST /2015-03-31/functions/<name>/invocations`), vouching for `users`. An unknown
 * user or a wrong password fails the function, as a real trigger does by throwing.
 */
export async function startFakeMigrationLambda(
  users: Record<string, LegacyUser>,
): Promise<FakeMigrationLambda> {
  const invocations: FakeMigrationLambda['invocations'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MigrationEvent;
      invocations.push({ triggerSource: event.triggerSource, userName: event.userName });
      const user = users[event.userName.toLowerCase()];
      const passwordOk =
        event.triggerSource === 'UserMigration_ForgotPassword' ||
        event.request.password === user?.password;
      if (!user || !passwordOk) {
        res.writeHead(200, {
          'Content-Type': 'application/json',
          'X-Amz-Function-Error': 'Unhandled',
        });
        res.end(JSON.stringify({ errorType: 'Error', errorMessage: 'User not found' }));
        return;
      }
      const response = {
        userAttributes: {
          email: event.userName.toLowerCase(),
          email_verified: 'true',
          name: user.name,
        },
        finalUserStatus: user.finalUserStatus,
        messageAction: 'SUPPRESS',
      };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ...event, response }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    invocations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
