import { DEFAULT_PASSWORD_POLICY } from '@authstack/shared';
import { invalidParameter, resourceNotFound } from '../protocol/errors';
import type { PoolContext } from './context';
import type { ClientRecord, PoolRecord, PoolSettings } from './types';

export function requirePool(context: PoolContext, poolId: string): PoolRecord {
  const pool = context.store.getPool(poolId);
  if (!pool) throw resourceNotFound(`User pool ${poolId} does not exist.`);
  return pool;
}

/** The app client, which must exist (and belong to `poolId` when given). */
export function requireClient(
  context: PoolContext,
  clientId: string,
  poolId?: string,
): ClientRecord {
  const client = context.store.getClient(clientId);
  if (!client || (poolId !== undefined && client.poolId !== poolId)) {
    throw resourceNotFound(`User pool client ${clientId} does not exist.`);
  }
  return client;
}

export const DEFAULT_TEMPORARY_PASSWORD_DAYS = 7;

export function defaultPoolSettings(): PoolSettings {
  return {
    Policies: {
      PasswordPolicy: {
        ...DEFAULT_PASSWORD_POLICY,
        TemporaryPasswordValidityDays: DEFAULT_TEMPORARY_PASSWORD_DAYS,
      },
    },
    LambdaConfig: {},
    UsernameConfiguration: { CaseSensitive: true },
    CustomAttributes: [],
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
    DeletionProtection: 'INACTIVE',
  };
}

export const emailIsUsername = (pool: PoolRecord): boolean =>
  pool.settings.UsernameAttributes?.includes('email') ?? false;

export const emailIsAlias = (pool: PoolRecord): boolean =>
  pool.settings.AliasAttributes?.includes('email') ?? false;

export const caseInsensitive = (pool: PoolRecord): boolean =>
  !pool.settings.UsernameConfiguration.CaseSensitive;

export function autoVerifiesEmail(pool: PoolRecord): boolean {
  return pool.settings.AutoVerifiedAttributes?.includes('email') ?? false;
}

export function poolArn(context: PoolContext, poolId: string): string {
  return `arn:aws:cognito-idp:${context.region}:000000000000:userpool/${poolId}`;
}

export function assertSupportedSignInAttributes(settings: Partial<PoolSettings>): void {
  const unsupported = [
    ...(settings.UsernameAttributes ?? []),
    ...(settings.AliasAttributes ?? []),
  ].filter((name) => name !== 'email');
  if (unsupported.length > 0) {
    throw invalidParameter(
      `Signing in with ${unsupported.join(', ')} is not supported by the local pool; use email.`,
    );
  }
}
