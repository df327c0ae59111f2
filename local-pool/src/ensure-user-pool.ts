import {
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  GroupExistsException,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  SetUserPoolMfaConfigCommand,
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
  /**
   * ARN of the PreSignUp Lambda trigger (refuses sign-up over a legacy account); omitted =
   * no trigger. The trigger package serves both from one function: give it the same ARN.
   */
  preSignUpLambdaArn?: string;
  generateSecret?: boolean;
  /**
   * The pool's MfaConfiguration, with TOTP (authenticator apps) as its factor, set with
   * SetUserPoolMfaConfig; omitted = left as it is.
   */
  mfaConfiguration?: 'OFF' | 'OPTIONAL' | 'ON';
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

/** Sets the pool's MfaConfiguration (TOTP on unless OFF) when it differs. */
async function ensureMfa(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  wanted: 'OFF' | 'OPTIONAL' | 'ON',
): Promise<void> {
  const current = await client.send(new GetUserPoolMfaConfigCommand({ UserPoolId: userPoolId }));
  const totp = wanted !== 'OFF';
  if (
    current.MfaConfiguration === wanted &&
    Boolean(current.SoftwareTokenMfaConfiguration?.Enabled) === totp
  ) {
    return;
  }
  await client.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: userPoolId,
      MfaConfiguration: wanted,
      ...(totp ? { SoftwareTokenMfaConfiguration: { Enabled: true } } : {}),
    }),
  );
}

/**
 * Finds or creates the project's user pool, app client and groups by name, using
 * only Cognito APIs, so it works the same on real Cognito and on the local pool.
 * Defaults: email as the username, case-insensitive, email auto-verified,
 * PreventUserExistenceErrors ENABLED, password + refresh flows, token revocation on.
 * An existing pool whose UserMigration or PreSignUp trigger or password policy differs is
 * updated (UpdateUserPool resets what it is not given, so the updatable settings are all sent).
 */
export async function ensureUserPool(
  client: CognitoIdentityProviderClient,
  options: EnsureUserPoolOptions,
): Promise<EnsuredUserPool> {
  const passwordPolicy = options.passwordPolicy ?? { ...DEFAULT_PASSWORD_POLICY };
  const lambdaConfig = {
    ...(options.userMigrationLambdaArn ? { UserMigration: options.userMigrationLambdaArn } : {}),
    ...(options.preSignUpLambdaArn ? { PreSignUp: options.preSignUpLambdaArn } : {}),
  };
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
    if (
      !pool ||
      pool.LambdaConfig?.UserMigration !== options.userMigrationLambdaArn ||
      pool.LambdaConfig?.PreSignUp !== options.preSignUpLambdaArn ||
      !samePolicy(pool, passwordPolicy)
    ) {
      // UpdateUserPool turns MFA OFF when not given it: send the current setting back.
      await client.send(
        new UpdateUserPoolCommand({
          UserPoolId: userPoolId,
          ...updatable,
          ...(pool?.MfaConfiguration ? { MfaConfiguration: pool.MfaConfiguration } : {}),
        }),
      );
    }
  }

  if (options.mfaConfiguration) await ensureMfa(client, userPoolId, options.mfaConfiguration);

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
