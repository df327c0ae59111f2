import { z } from 'zod';
import { userNotFound } from '../protocol/errors';
import { UniqueViolation } from '../storage/store';
import type { PoolContext } from './context';
import { newSub } from './ids';
import { emailIsUsername } from './pools';
import { triggerFailure, type TriggerInvoker } from './trigger-invocation';
import type { ClientRecord, PoolRecord, UserRecord } from './types';
import { findUser, newUser, readAttributes } from './users';

export type MigrationTrigger = 'UserMigration_Authentication' | 'UserMigration_ForgotPassword';

/** The event Cognito sends a UserMigration function. */
export interface UserMigrationEvent {
  version: '1';
  triggerSource: MigrationTrigger;
  region: string;
  userPoolId: string;
  userName: string;
  callerContext: { awsSdkVersion: string; clientId: string };
  request: {
    password?: string;
    validationData: Record<string, string> | null;
    clientMetadata: Record<string, string> | null;
  };
  response: Record<string, never>;
}

/** Calls the function behind a UserMigration ARN: the same invoker as every trigger's. */
export type UserMigrationInvoker = TriggerInvoker;

const migrationResponse = z.object({
  response: z.object({
    userAttributes: z.record(z.string(), z.string()),
    finalUserStatus: z.enum(['CONFIRMED', 'RESET_REQUIRED']).optional(),
    messageAction: z.enum(['SUPPRESS', 'RESEND']).optional(),
    desiredDeliveryMediums: z.array(z.enum(['EMAIL', 'SMS'])).optional(),
    forceAliasCreation: z.boolean().optional(),
  }),
});

/**
 * The function answered, but not with a user the pool can create (not JSON, not the event,
 * attributes outside the schema). Its errors and a missing answer are not this: they reach
 * the caller as Cognito's trigger exceptions (`triggerFailure`).
 */
export class MigrationFailed extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationFailed';
  }
}

export interface MigrationRequest {
  pool: PoolRecord;
  client: ClientRecord;
  userName: string;
  trigger: MigrationTrigger;
  password?: string;
  validationData?: Record<string, string>;
  clientMetadata?: Record<string, string>;
}

/** True when the pool has a UserMigration function and this process can reach Lambda. */
export const canMigrate = (context: PoolContext, pool: PoolRecord): boolean =>
  context.migration !== undefined && pool.settings.LambdaConfig.UserMigration !== undefined;

/**
 * Asks the pool's UserMigration function about a user the pool does not have and,
 * if it vouches for them, creates the user (with a new `sub`) exactly once: when two
 * sign-ins race, the second finds the first's user. Creates nothing otherwise: an error
 * the function threw is `UserLambdaValidationException "UserMigration failed with error
 * <its message>."`, no answer is `UnexpectedLambdaException` (as Cognito answers, in both
 * PreventUserExistenceErrors modes); an answer that is not acceptable is `MigrationFailed`.
 */
export async function migrateUser(
  context: PoolContext,
  request: MigrationRequest,
): Promise<UserRecord> {
  const { pool, client, userName, trigger } = request;
  const functionArn = pool.settings.LambdaConfig.UserMigration;
  if (!context.migration || !functionArn) throw new MigrationFailed('no UserMigration trigger');
  const event: UserMigrationEvent = {
    version: '1',
    triggerSource: trigger,
    region: context.region,
    userPoolId: pool.id,
    userName,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: client.id },
    request: {
      ...(request.password !== undefined ? { password: request.password } : {}),
      validationData: request.validationData ?? null,
      clientMetadata: request.clientMetadata ?? null,
    },
    response: {},
  };
  const result = await context.migration.invokeTrigger(functionArn, event);
  const logFields = { poolId: pool.id, triggerSource: trigger };
  switch (result.outcome) {
    case 'function-error':
      context.logger.info(
        { ...logFields, errorType: result.errorType },
        'UserMigration trigger refused the user',
      );
      throw triggerFailure('UserMigration', result);
    case 'invocation-failed':
      context.logger.warn(
        { ...logFields, reason: result.error },
        'UserMigration trigger could not be invoked',
      );
      throw triggerFailure('UserMigration', result);
    case 'not-json':
      throw new MigrationFailed('the UserMigration function did not return JSON');
    case 'returned':
      break;
  }
  const answer = migrationResponse.safeParse(result.payload);
  if (!answer.success) {
    throw new MigrationFailed('the UserMigration function returned an invalid response');
  }
  const { userAttributes, finalUserStatus } = answer.data.response;
  const { sub: _ignoredSub, username: _ignoredUsername, ...wanted } = userAttributes;
  let attributes: Record<string, string>;
  try {
    attributes = readAttributes(
      pool,
      Object.entries(wanted).map(([Name, Value]) => ({ Name, Value })),
      true,
    );
  } catch (error) {
    throw new MigrationFailed('the UserMigration function returned attributes outside the schema', {
      cause: error,
    });
  }
  if (emailIsUsername(pool)) attributes.email ??= userName;
  if (emailIsUsername(pool) && !attributes.email) {
    throw new MigrationFailed('the migrated user has no email');
  }
  const status =
    trigger === 'UserMigration_ForgotPassword'
      ? 'RESET_REQUIRED'
      : (finalUserStatus ?? 'CONFIRMED');
  const passwordHash =
    status === 'CONFIRMED' && request.password !== undefined
      ? await context.passwords.hash(request.password)
      : null;
  try {
    return context.store.transaction(() =>
      context.store.insertUser(
        newUser(pool, {
          username: userName,
          sub: newSub(),
          status,
          passwordHash,
          attributes,
          now: context.clock(),
        }),
      ),
    );
  } catch (error) {
    const existing =
      error instanceof UniqueViolation ? findUser(context, pool, userName) : undefined;
    if (existing) return existing;
    throw new MigrationFailed('the migrated user conflicts with an existing user', {
      cause: error,
    });
  }
}

/**
 * The user a request names or, when the pool lacks them and has a UserMigration
 * trigger, the user the trigger migrates. `migrationFailed` says the trigger answered
 * something the pool cannot use (nothing was created); the caller turns that into
 * Cognito's answer. A trigger that threw or did not answer rejects with Cognito's
 * exception (see `migrateUser`).
 */
export async function findOrMigrateUser(
  context: PoolContext,
  request: MigrationRequest,
): Promise<{ user: UserRecord | undefined; migrationFailed: boolean }> {
  const user = findUser(context, request.pool, request.userName);
  if (user || !canMigrate(context, request.pool)) return { user, migrationFailed: false };
  try {
    return { user: await migrateUser(context, request), migrationFailed: false };
  } catch (error) {
    if (!(error instanceof MigrationFailed)) throw error;
    context.logger.warn(
      { poolId: request.pool.id, triggerSource: request.trigger, reason: error.message },
      'user migration failed',
    );
    return { user: undefined, migrationFailed: true };
  }
}

/** What a LEGACY client sees when the UserMigration trigger failed. */
export const migrationFailedError = (client: ClientRecord): Error =>
  userNotFound(`Exception migrating user in app client ${client.id}`);
