import {
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GroupExistsException,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  UpdateUserPoolCommand,
  type CognitoIdentityProviderClient,
  type ExplicitAuthFlowsType,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '@authstack/shared';

export interface EnsureUserPoolOptions {
  poolName: string;
  clientName: string;
  /** Groups to create in the pool (existing ones are kept). */
  groups?: string[];
  /** ARN of the UserMigration Lambda trigger; omitted = no trigger. */
  userMigrationLambdaArn?: string;
  generateSecret?: boolean;
  passwordPolicy?: PasswordPolicy;
  accessTokenValidityMinutes?: number;
  idTokenValidityMinutes?: number;
  refreshTokenValidityDays?: number;
}

export interface EnsuredUserPool {
  userPoolId: string;
  clientId: string;
  clientSecret?: string;
}

const AUTH_FLOWS: ExplicitAuthFlowsType[] = [
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
];

async function findPoolId(
  client: CognitoIdentityProviderClient,
  name: string,
): Promise<string | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken }));
    const found = page.UserPools?.find((pool) => pool.Name === name);
    if (found?.Id) return found.Id;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

async function findClientId(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  name: string,
): Promise<string | undefined> {
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken }),
    );
    const found = page.UserPoolClients?.find((candidate) => candidate.ClientName === name);
    if (found?.ClientId) return found.ClientId;
    NextToken = page.NextToken;
  } while (NextToken);
  return undefined;
}

function samePolicy(pool: UserPoolType, wanted: PasswordPolicy): boolean {
  const current = pool.Policies?.PasswordPolicy;
  return (
    current?.MinimumLength === wanted.MinimumLength &&
    Boolean(current.RequireUppercase) === wanted.RequireUppercase &&
    Boolean(current.RequireLowercase) === wanted.RequireLowercase &&
    Boolean(current.RequireNumbers) === wanted.RequireNumbers &&
    Boolean(current.RequireSymbols) === wanted.RequireSymbols
  );
}

/**
 * Finds or creates the project's user pool, app client and groups by name, using
 * only Cognito APIs, so it works the same on real Cognito and on the local pool.
 * Defaults: email as the username, case-insensitive, email auto-verified,
 * PreventUserExistenceErrors ENABLED, password + refresh flows, token revocation on.
 * An existing pool whose UserMigration trigger or password policy differs is updated
 * (UpdateUserPool resets what it is not given, so the updatable settings are all sent).
 */
export async function ensureUserPool(
  client: CognitoIdentityProviderClient,
  options: EnsureUserPoolOptions,
): Promise<EnsuredUserPool> {
  const passwordPolicy = options.passwordPolicy ?? { ...DEFAULT_PASSWORD_POLICY };
  const lambdaConfig = options.userMigrationLambdaArn
    ? { UserMigration: options.userMigrationLambdaArn }
    : {};
  const updatable = {
    Policies: { PasswordPolicy: { ...passwordPolicy, TemporaryPasswordValidityDays: 7 } },
    LambdaConfig: lambdaConfig,
    AutoVerifiedAttributes: ['email' as const],
  };

  let userPoolId = await findPoolId(client, options.poolName);
  if (!userPoolId) {
    const created = await client.send(
      new CreateUserPoolCommand({
        PoolName: options.poolName,
        UsernameAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        Schema: [{ Name: 'name', AttributeDataType: 'String', Mutable: true, Required: false }],
        ...updatable,
      }),
    );
    userPoolId = created.UserPool?.Id;
    if (!userPoolId) throw new Error('CreateUserPool returned no pool id');
  } else {
    const { UserPool: pool } = await client.send(
      new DescribeUserPoolCommand({ UserPoolId: userPoolId }),
    );
    const currentMigration = pool?.LambdaConfig?.UserMigration;
    if (
      !pool ||
      currentMigration !== options.userMigrationLambdaArn ||
      !samePolicy(pool, passwordPolicy)
    ) {
      await client.send(new UpdateUserPoolCommand({ UserPoolId: userPoolId, ...updatable }));
    }
  }

  let clientId = await findClientId(client, userPoolId, options.clientName);
  let clientSecret: string | undefined;
  if (clientId) {
    const described = await client.send(
      new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
    );
    clientSecret = described.UserPoolClient?.ClientSecret;
  } else {
    const created = await client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: options.clientName,
        GenerateSecret: options.generateSecret ?? false,
        ExplicitAuthFlows: AUTH_FLOWS,
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        AccessTokenValidity: options.accessTokenValidityMinutes ?? 60,
        IdTokenValidity: options.idTokenValidityMinutes ?? 60,
        RefreshTokenValidity: options.refreshTokenValidityDays ?? 30,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
      }),
    );
    clientId = created.UserPoolClient?.ClientId;
    clientSecret = created.UserPoolClient?.ClientSecret;
    if (!clientId) throw new Error('CreateUserPoolClient returned no client id');
  }

  for (const GroupName of options.groups ?? []) {
    try {
      await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName }));
    } catch (error) {
      if (!(error instanceof GroupExistsException)) throw error;
    }
  }
  return { userPoolId, clientId, ...(clientSecret ? { clientSecret } : {}) };
}
