import { z } from 'zod';
import type { PoolContext } from '../domain/context';
import { newClientId, newClientSecret, newPoolId } from '../domain/ids';
import {
  assertSupportedSignInAttributes,
  defaultPoolSettings,
  poolArn,
  requireClient,
  requirePool,
} from '../domain/pools';
import type { ClientRecord, ClientSettings, PoolRecord, PoolSettings } from '../domain/types';
import { invalidParameter } from '../protocol/errors';
import { operation } from '../protocol/operation';
import { clientId, limit, nextToken, userPoolId } from '../protocol/shapes';
import { lifetimes } from '../domain/tokens';
import { decodePageToken, page } from './paging';

const lambdaArn = z
  .string()
  .max(2048)
  .regex(
    /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]*:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/,
    'Member must satisfy the ARN pattern',
  );

const updatableSettings = {
  Policies: z
    .object({
      PasswordPolicy: z
        .object({
          MinimumLength: z.number().int().min(6).max(99).optional(),
          RequireUppercase: z.boolean().optional(),
          RequireLowercase: z.boolean().optional(),
          RequireNumbers: z.boolean().optional(),
          RequireSymbols: z.boolean().optional(),
          TemporaryPasswordValidityDays: z.number().int().min(0).max(365).optional(),
        })
        .optional(),
    })
    .optional(),
  LambdaConfig: z.record(z.string(), lambdaArn).optional(),
  AutoVerifiedAttributes: z.array(z.enum(['email', 'phone_number'])).optional(),
  AdminCreateUserConfig: z.object({ AllowAdminCreateUserOnly: z.boolean().optional() }).optional(),
  DeletionProtection: z.enum(['ACTIVE', 'INACTIVE']).optional(),
  UserPoolTags: z.record(z.string(), z.string()).optional(),
  MfaConfiguration: z.enum(['OFF', 'ON', 'OPTIONAL']).optional(),
};
type Updatable = z.infer<z.ZodObject<typeof updatableSettings>>;

/** Settings from a Create/UpdateUserPool request; what the request leaves out gets Cognito's default. */
function applyUpdatable(base: PoolSettings, request: Updatable): PoolSettings {
  // Create/UpdateUserPool cannot turn TOTP on (only SetUserPoolMfaConfig can) and the local
  // pool has no SMS: ON/OPTIONAL needs TOTP already enabled, as Cognito needs some factor.
  const mfa = request.MfaConfiguration ?? 'OFF';
  if (mfa !== 'OFF' && !base.SoftwareTokenMfaConfiguration?.Enabled) {
    throw invalidParameter(
      'SMS configuration and Auto verification for phone_number are required when MFA is required/optional',
    );
  }
  const defaults = defaultPoolSettings();
  const given = request.Policies?.PasswordPolicy;
  return {
    ...base,
    Policies: {
      PasswordPolicy: given
        ? {
            MinimumLength: given.MinimumLength ?? 8,
            RequireUppercase: given.RequireUppercase ?? false,
            RequireLowercase: given.RequireLowercase ?? false,
            RequireNumbers: given.RequireNumbers ?? false,
            RequireSymbols: given.RequireSymbols ?? false,
            TemporaryPasswordValidityDays:
              given.TemporaryPasswordValidityDays ??
              defaults.Policies.PasswordPolicy.TemporaryPasswordValidityDays,
          }
        : defaults.Policies.PasswordPolicy,
    },
    LambdaConfig: request.LambdaConfig ?? {},
    AutoVerifiedAttributes: request.AutoVerifiedAttributes,
    AdminCreateUserConfig: {
      AllowAdminCreateUserOnly: request.AdminCreateUserConfig?.AllowAdminCreateUserOnly ?? false,
    },
    DeletionProtection: request.DeletionProtection ?? 'INACTIVE',
    UserPoolTags: request.UserPoolTags,
    MfaConfiguration: mfa,
  };
}

const STANDARD_SCHEMA = ['sub', 'email', 'email_verified', 'name', 'given_name', 'family_name'];

function toUserPoolType(context: PoolContext, pool: PoolRecord) {
  const s = pool.settings;
  return {
    Id: pool.id,
    Name: pool.name,
    Arn: poolArn(context, pool.id),
    Policies: s.Policies,
    LambdaConfig: s.LambdaConfig,
    ...(s.UsernameAttributes ? { UsernameAttributes: s.UsernameAttributes } : {}),
    ...(s.AliasAttributes ? { AliasAttributes: s.AliasAttributes } : {}),
    ...(s.AutoVerifiedAttributes ? { AutoVerifiedAttributes: s.AutoVerifiedAttributes } : {}),
    UsernameConfiguration: s.UsernameConfiguration,
    SchemaAttributes: [
      ...STANDARD_SCHEMA.map((Name) => ({
        Name,
        AttributeDataType: Name === 'email_verified' ? 'Boolean' : 'String',
        Mutable: Name !== 'sub',
        Required: Name === 'sub',
        DeveloperOnlyAttribute: false,
      })),
      ...s.CustomAttributes.map((name) => ({
        Name: `custom:${name}`,
        AttributeDataType: 'String',
        Mutable: true,
        Required: false,
        DeveloperOnlyAttribute: false,
      })),
    ],
    AdminCreateUserConfig: s.AdminCreateUserConfig,
    DeletionProtection: s.DeletionProtection,
    MfaConfiguration: s.MfaConfiguration ?? 'OFF',
    EstimatedNumberOfUsers: context.store.countUsers(pool.id),
    ...(s.UserPoolTags ? { UserPoolTags: s.UserPoolTags } : {}),
    CreationDate: pool.createdAt / 1000,
    LastModifiedDate: pool.updatedAt / 1000,
  };
}

const createUserPool = operation(
  'iam',
  z.object({
    PoolName: z.string().min(1).max(128),
    ...updatableSettings,
    AliasAttributes: z.array(z.enum(['email', 'phone_number', 'preferred_username'])).optional(),
    UsernameAttributes: z.array(z.enum(['email', 'phone_number'])).optional(),
    UsernameConfiguration: z.object({ CaseSensitive: z.boolean() }).optional(),
    Schema: z
      .array(
        z.object({
          Name: z.string().min(1).max(20),
          AttributeDataType: z.enum(['String', 'Number', 'DateTime', 'Boolean']).optional(),
        }),
      )
      .max(50)
      .optional(),
  }),
  (context, request) => {
    if (request.AliasAttributes && request.UsernameAttributes) {
      throw invalidParameter('You can not set both AliasAttributes and UsernameAttributes.');
    }
    const signIn = {
      UsernameAttributes: request.UsernameAttributes,
      AliasAttributes: request.AliasAttributes,
    };
    assertSupportedSignInAttributes(signIn);
    const standard = new Set(STANDARD_SCHEMA);
    const settings = applyUpdatable(
      {
        ...defaultPoolSettings(),
        ...signIn,
        UsernameConfiguration: {
          CaseSensitive: request.UsernameConfiguration?.CaseSensitive ?? true,
        },
        CustomAttributes: (request.Schema ?? [])
          .map((attribute) => attribute.Name.replace(/^custom:/, ''))
          .filter((name) => !standard.has(name)),
      },
      request,
    );
    const now = context.clock();
    const pool: PoolRecord = {
      id: newPoolId(context.region),
      name: request.PoolName,
      createdAt: now,
      updatedAt: now,
      settings,
    };
    context.store.transaction(() => context.store.insertPool(pool));
    context.logger.info({ poolId: pool.id, poolName: pool.name }, 'user pool created');
    return { UserPool: toUserPoolType(context, pool) };
  },
);

const describeUserPool = operation(
  'iam',
  z.object({ UserPoolId: userPoolId }),
  (context, request) => ({
    UserPool: toUserPoolType(context, requirePool(context, request.UserPoolId)),
  }),
);

const updateUserPool = operation(
  'iam',
  z.object({ UserPoolId: userPoolId, ...updatableSettings }),
  (context, request) => {
    context.store.transaction(() => {
      const pool = requirePool(context, request.UserPoolId);
      context.store.updatePoolSettings(
        pool.id,
        applyUpdatable(pool.settings, request),
        context.clock(),
      );
    });
    return {};
  },
);

const listUserPools = operation(
  'iam',
  z.object({ MaxResults: z.number().int().min(1).max(60), NextToken: nextToken }),
  (context, request) => {
    const after = String(decodePageToken(request.NextToken) ?? '');
    const { shown, next } = page(
      context.store.listPools(after, request.MaxResults + 1),
      request.MaxResults,
      (pool) => pool.id,
    );
    return {
      UserPools: shown.map((pool) => ({
        Id: pool.id,
        Name: pool.name,
        LambdaConfig: pool.settings.LambdaConfig,
        LastModifiedDate: pool.updatedAt / 1000,
        CreationDate: pool.createdAt / 1000,
      })),
      ...next,
    };
  },
);

const AUTH_FLOWS = [
  'ADMIN_NO_SRP_AUTH',
  'CUSTOM_AUTH_FLOW_ONLY',
  'USER_PASSWORD_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
  'ALLOW_USER_AUTH',
] as const;
const timeUnit = z.enum(['seconds', 'minutes', 'hours', 'days']);

function clientSettings(request: {
  ExplicitAuthFlows?: string[] | undefined;
  PreventUserExistenceErrors?: 'ENABLED' | 'LEGACY' | undefined;
  EnableTokenRevocation?: boolean | undefined;
  RefreshTokenValidity?: number | undefined;
  AccessTokenValidity?: number | undefined;
  IdTokenValidity?: number | undefined;
  TokenValidityUnits?: ClientSettings['TokenValidityUnits'];
  AuthSessionValidity?: number | undefined;
  ReadAttributes?: string[] | undefined;
  WriteAttributes?: string[] | undefined;
}): ClientSettings {
  const flows = request.ExplicitAuthFlows ?? [];
  const modern = flows.filter((flow) => flow.startsWith('ALLOW_'));
  if (modern.length > 0 && modern.length !== flows.length) {
    throw invalidParameter(
      'ExplicitAuthFlow can not have both ALLOW_ prefixed and non-ALLOW_ prefixed values.',
    );
  }
  const settings: ClientSettings = {
    ExplicitAuthFlows:
      flows.length > 0
        ? [...new Set(flows)]
        : ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    PreventUserExistenceErrors: request.PreventUserExistenceErrors ?? 'LEGACY',
    EnableTokenRevocation: request.EnableTokenRevocation ?? true,
    RefreshTokenValidity: request.RefreshTokenValidity || 30,
    ...(request.AccessTokenValidity ? { AccessTokenValidity: request.AccessTokenValidity } : {}),
    ...(request.IdTokenValidity ? { IdTokenValidity: request.IdTokenValidity } : {}),
    ...(request.TokenValidityUnits ? { TokenValidityUnits: request.TokenValidityUnits } : {}),
    AuthSessionValidity: request.AuthSessionValidity ?? 3,
    ...(request.ReadAttributes ? { ReadAttributes: request.ReadAttributes } : {}),
    ...(request.WriteAttributes ? { WriteAttributes: request.WriteAttributes } : {}),
  };
  const life = lifetimes(settings);
  const minute = 60_000;
  const day = 24 * 60 * minute;
  const inRange = (value: number, min: number, max: number) => value >= min && value <= max;
  if (!inRange(life.access, 5 * minute, day) || !inRange(life.id, 5 * minute, day)) {
    throw invalidParameter(
      'Invalid range for token validity: ID and access tokens last 5 minutes to 1 day.',
    );
  }
  if (!inRange(life.refresh, 60 * minute, 3650 * day)) {
    throw invalidParameter(
      'Invalid range for token validity: refresh tokens last 60 minutes to 10 years.',
    );
  }
  return settings;
}

function toClientType(client: ClientRecord) {
  return {
    UserPoolId: client.poolId,
    ClientName: client.name,
    ClientId: client.id,
    ...(client.secret ? { ClientSecret: client.secret } : {}),
    LastModifiedDate: client.updatedAt / 1000,
    CreationDate: client.createdAt / 1000,
    ...client.settings,
    AllowedOAuthFlowsUserPoolClient: false,
  };
}

const createUserPoolClient = operation(
  'iam',
  z.object({
    UserPoolId: userPoolId,
    ClientName: z.string().min(1).max(128),
    GenerateSecret: z.boolean().optional(),
    RefreshTokenValidity: z.number().int().min(0).max(315360000).optional(),
    AccessTokenValidity: z.number().int().min(1).max(86400).optional(),
    IdTokenValidity: z.number().int().min(1).max(86400).optional(),
    TokenValidityUnits: z
      .object({
        AccessToken: timeUnit.optional(),
        IdToken: timeUnit.optional(),
        RefreshToken: timeUnit.optional(),
      })
      .optional(),
    ReadAttributes: z.array(z.string()).optional(),
    WriteAttributes: z.array(z.string()).optional(),
    ExplicitAuthFlows: z.array(z.enum(AUTH_FLOWS)).optional(),
    PreventUserExistenceErrors: z.enum(['ENABLED', 'LEGACY']).optional(),
    EnableTokenRevocation: z.boolean().optional(),
    AuthSessionValidity: z.number().int().min(3).max(15).optional(),
  }),
  (context, request) => {
    const settings = clientSettings(request);
    const now = context.clock();
    const client: ClientRecord = {
      id: newClientId(),
      poolId: request.UserPoolId,
      name: request.ClientName,
      secret: request.GenerateSecret ? newClientSecret() : null,
      createdAt: now,
      updatedAt: now,
      settings,
    };
    context.store.transaction(() => {
      requirePool(context, request.UserPoolId);
      context.store.insertClient(client);
    });
    return { UserPoolClient: toClientType(client) };
  },
);

const describeUserPoolClient = operation(
  'iam',
  z.object({ UserPoolId: userPoolId, ClientId: clientId }),
  (context, request) => {
    requirePool(context, request.UserPoolId);
    return {
      UserPoolClient: toClientType(requireClient(context, request.ClientId, request.UserPoolId)),
    };
  },
);

const listUserPoolClients = operation(
  'iam',
  z.object({ UserPoolId: userPoolId, MaxResults: limit(60), NextToken: nextToken }),
  (context, request) => {
    requirePool(context, request.UserPoolId);
    const max = request.MaxResults || 60;
    const after = String(decodePageToken(request.NextToken) ?? '');
    const { shown, next } = page(
      context.store.listClients(request.UserPoolId, after, max + 1),
      max,
      (client) => client.id,
    );
    return {
      UserPoolClients: shown.map((client) => ({
        ClientId: client.id,
        UserPoolId: client.poolId,
        ClientName: client.name,
      })),
      ...next,
    };
  },
);

export const poolOperations = {
  CreateUserPool: createUserPool,
  DescribeUserPool: describeUserPool,
  UpdateUserPool: updateUserPool,
  ListUserPools: listUserPools,
  CreateUserPoolClient: createUserPoolClient,
  DescribeUserPoolClient: describeUserPoolClient,
  ListUserPoolClients: listUserPoolClients,
};
