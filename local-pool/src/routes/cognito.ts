import express, { type Request, type Response, Router } from 'express';
import { requestIdOf } from '@authstack/shared';
import type { PoolContext } from '../domain/context';
import { operations } from '../operations';
import { logsOperations } from '../operations/logs';
import {
  CognitoError,
  missingAuthenticationToken,
  serialization,
  unknownOperation,
} from '../protocol/errors';
import type { Operation } from '../protocol/operation';

/** The JSON 1.1 services served at `POST /`, by the X-Amz-Target prefix their SDK clients send. */
const SERVICES: Readonly<Record<string, Readonly<Record<string, Operation>>>> = {
  AWSCognitoIdentityProviderService: operations,
  Logs_20140328: logsOperations,
};
const TARGET = /^(\w+)\.([A-Za-z]+)$/;
/** The shape of a SigV4 Authorization header; the local pool accepts any credentials. */
const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=\S+\/\d{8}\/[\w-]+\/[\w-]+\/aws4_request, ?SignedHeaders=[\w;.-]+, ?Signature=[0-9a-f]{64}$/;

const CONTENT_TYPE = 'application/x-amz-json-1.1';

function parseBody(raw: unknown): unknown {
  const text = typeof raw === 'string' ? raw : '';
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw serialization('The request body is not valid JSON.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw serialization('The request body must be a JSON object.');
  }
  return body;
}

function sendError(res: Response, error: CognitoError): void {
  res
    .status(error.status)
    .setHeader('x-amzn-ErrorType', `${error.name}:`)
    .type(CONTENT_TYPE)
    .send(JSON.stringify({ __type: error.name, message: error.message }));
}

/**
 * `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`:
 * Cognito's JSON 1.1 protocol; with `Logs_20140328.<Operation>`, the CloudWatch Logs
 * operations for import-job logs (same protocol and error shape). Every failure is an
 * AWS-style error; only a bug here gives a 5xx (`InternalErrorException`).
 */
export function cognitoRouter(context: PoolContext): Router {
  const router = Router();
  router.post(
    '/',
    express.text({ type: () => true, limit: '256kb' }),
    async (req: Request, res: Response) => {
      res.setHeader('x-amzn-RequestId', requestIdOf(req));
      try {
        const target = req.header('x-amz-target') ?? '';
        const [, service = '', name = ''] = TARGET.exec(target) ?? [];
        const table = Object.hasOwn(SERVICES, service) ? SERVICES[service] : undefined;
        const op = table && Object.hasOwn(table, name) ? table[name] : undefined;
        if (!op) {
          throw unknownOperation(
            target === ''
              ? 'Missing X-Amz-Target header.'
              : `Operation ${table ? name : target} is not supported by the local pool.`,
          );
        }
        if (op.auth === 'iam' && !SIGV4.test(req.header('authorization') ?? '')) {
          throw missingAuthenticationToken('Missing Authentication Token');
        }
        const result = await op.handle(context, parseBody(req.body));
        res.status(200).type(CONTENT_TYPE).send(JSON.stringify(result));
      } catch (error) {
        if (error instanceof CognitoError) {
          sendError(res, error);
          return;
        }
        context.logger.error(
          { err: error, target: req.header('x-amz-target') },
          'operation failed unexpectedly',
        );
        sendError(res, new CognitoError('InternalErrorException', 'Internal error.', 500));
      }
    },
  );
  return router;
}

/** Body-parser failures on `POST /` (too large, bad encoding) as Cognito-style 4xx errors. */
export function cognitoBodyErrors(
  error: unknown,
  _req: Request,
  res: Response,
  next: (error?: unknown) => void,
): void {
  const status = (error as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    sendError(
      res,
      new CognitoError('SerializationException', 'The request body could not be read.', 400),
    );
    return;
  }
  next(error);
}
