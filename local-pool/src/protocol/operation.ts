import type { z } from 'zod';
import type { PoolContext } from '../domain/context';
import { invalidParameter, serialization } from './errors';

/** `iam`: Admin* and management operations, SigV4-signed in real Cognito. `public`: no signature. */
export type OperationAuth = 'iam' | 'public';

export interface Operation {
  auth: OperationAuth;
  handle(context: PoolContext, body: unknown): Promise<unknown>;
}

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** A member path as AWS writes it in validation messages, e.g. `userAttributes.1.member.name`. */
function describePath(path: readonly PropertyKey[]): string {
  return path
    .map((part) => (typeof part === 'number' ? `${part + 1}.member` : lowerFirst(String(part))))
    .join('.');
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Turns a zod failure into the error Cognito gives for that kind of bad input.
 * Values are never echoed back: they may be passwords or tokens.
 */
function inputError(error: z.ZodError, body: unknown): Error {
  const issue = error.issues[0];
  if (!issue) return invalidParameter('Invalid request.');
  const at = describePath(issue.path);
  if (issue.code === 'invalid_type') {
    const value = valueAt(body, issue.path);
    if (value === undefined || value === null) {
      return invalidParameter(
        `1 validation error detected: Value null at '${at}' failed to satisfy constraint: Member must not be null`,
      );
    }
    return serialization(`Wrong type for '${at}': expected ${issue.expected}.`);
  }
  return invalidParameter(
    `1 validation error detected: Value at '${at}' failed to satisfy constraint: ${issue.message}`,
  );
}

/** Defines an operation: its request schema (zod) and what it does with a valid request. */
export function operation<S extends z.ZodType>(
  auth: OperationAuth,
  input: S,
  run: (context: PoolContext, request: z.infer<S>) => unknown,
): Operation {
  return {
    auth,
    async handle(context, body) {
      const parsed = input.safeParse(body);
      if (!parsed.success) throw inputError(parsed.error, body);
      return (await run(context, parsed.data)) ?? {};
    },
  };
}
