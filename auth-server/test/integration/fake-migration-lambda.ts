import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LegacyUser {
  password: string;
  name: string;
  /** RESET_REQUIRED: the pool makes the user reset the password before signing in. */
  finalUserStatus: 'CONFIRMED' | 'RESET_REQUIRED';
}

interface TriggerEvent {
  triggerSource: string;
  userName: string;
  request: { password?: string; userAttributes?: Record<string, string> };
  response: Record<string, unknown>;
}

export interface FakeMigrationLambda {
  /** The Lambda Invoke API base URL to give the local pool. */
  endpoint: string;
  /** Every event; PreSignUp ones with the email the sign-up is for. */
  invocations: { triggerSource: string; userName: string; email?: string }[];
  close(): Promise<void>;
}

/** The refusal of a sign-up over a legacy account, as a PreSignUp function throws it. */
export const PRE_SIGN_UP_REFUSAL = 'This email belongs to an existing account.';

/**
 * A stand-in for the triggers behind the Lambda Invoke API
 * (`POST /2015-03-31/functions/<name>/invocations`), vouching for `users`. UserMigration:
 * an unknown user or a wrong password fails the function, as a real trigger does by
 * throwing. PreSignUp: the sign-up (or admin creation) of a legacy user's email fails it;
 * any other passes unchanged.
 */
export async function startFakeMigrationLambda(
  users: Record<string, LegacyUser>,
): Promise<FakeMigrationLambda> {
  const invocations: FakeMigrationLambda['invocations'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as TriggerEvent;
      if (event.triggerSource.startsWith('PreSignUp_')) {
        const email = (event.request.userAttributes?.email ?? '').toLowerCase();
        invocations.push({ triggerSource: event.triggerSource, userName: event.userName, email });
        if (users[email]) {
          res.writeHead(200, {
            'Content-Type': 'application/json',
            'X-Amz-Function-Error': 'Unhandled',
          });
          res.end(JSON.stringify({ errorType: 'Error', errorMessage: PRE_SIGN_UP_REFUSAL }));
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(event));
        return;
      }
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
