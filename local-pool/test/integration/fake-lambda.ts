import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One answer of the fake function: the result, a function error, an HTTP failure, or a delay. */
export type LambdaAnswer =
  | { result: unknown; delayMs?: number }
  | { functionError: string; errorType?: string; errorMessage?: string }
  | { status: number; errorType: string }
  | { raw: string };

export interface Invocation {
  functionName: string;
  event: Record<string, unknown>;
}

/**
 * A real HTTP server speaking the Lambda Invoke API
 * (`POST /2015-03-31/functions/<name>/invocations`), scripted per test: `answer`
 * picks what to send for each event (`attempt` counts calls for that userName).
 */
export class FakeLambda {
  readonly invocations: Invocation[] = [];
  answer: (event: Record<string, unknown>, attempt: number) => LambdaAnswer = () => ({
    functionError: 'Unhandled',
  });
  #server: Server | undefined;
  #attempts = new Map<string, number>();

  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  attemptsFor(userName: string): number {
    return this.#attempts.get(userName) ?? 0;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
    let body = '';
    for await (const chunk of req) body += String(chunk);
    if (req.method !== 'POST' || !match) {
      res.writeHead(404).end();
      return;
    }
    const event = JSON.parse(body) as Record<string, unknown>;
    const userName = String(event.userName);
    const attempt = (this.#attempts.get(userName) ?? 0) + 1;
    this.#attempts.set(userName, attempt);
    this.invocations.push({ functionName: decodeURIComponent(match[1] ?? ''), event });
    const answer = this.answer(event, attempt);
    if ('delayMs' in answer && answer.delayMs) await sleep(answer.delayMs);
    if (res.destroyed) return;
    if ('result' in answer) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.result));
    } else if ('functionError' in answer) {
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'x-amz-function-error': answer.functionError,
        })
        .end(
          JSON.stringify({
            errorType: answer.errorType ?? 'Error',
            errorMessage: answer.errorMessage ?? 'Bad password',
          }),
        );
    } else if ('raw' in answer) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer.raw);
    } else {
      res
        .writeHead(answer.status, {
          'content-type': 'application/json',
          'x-amzn-errortype': answer.errorType,
        })
        .end(JSON.stringify({ Type: 'Service', message: answer.errorType }));
    }
  }
}

/** What a UserMigration function answers for a legacy user it vouches for. */
export function migrated(
  event: Record<string, unknown>,
  attributes: Record<string, string>,
  finalUserStatus: 'CONFIRMED' | 'RESET_REQUIRED' = 'CONFIRMED',
): LambdaAnswer {
  return {
    result: {
      ...event,
      response: { userAttributes: attributes, finalUserStatus, messageAction: 'SUPPRESS' },
    },
  };
}
