import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createConfirmedUser,
  createLocalCognitoClient,
  ensureUserPool,
} from '@authstack/local-pool';
import { POOL_MFA_CONFIGURATION, type MfaMode } from '@authstack/shared';

/** A user created directly in the local pool, in the `admin` group, for the admin routes. */
export const DEMO_ADMIN = {
  email: 'admin@example.com',
  password: 'Admin-Passw0rd!',
  name: 'Demo Admin',
  note: 'pool user in group admin',
} as const;

export const LOCAL_POOL_NAME = 'authstack-local';
export const LOCAL_CLIENT_NAME = 'authstack-local-web';
export const LOCAL_GROUPS = ['admin'] as const;
/**
 * The function the local pool invokes, for UserMigration and PreSignUp alike (it dispatches
 * on `triggerSource`): the trigger's invoke server (npm start) and the Lambda emulator in
 * compose (`AWS_LAMBDA_FUNCTION_NAME`) serve it under this name.
 */
export const USER_MIGRATION_FUNCTION = 'user-migration';

export { MFA_MODES, POOL_MFA_CONFIGURATION, type MfaMode } from '@authstack/shared';

export interface BootstrapOptions {
  /** The local pool's URL. */
  endpoint: string;
  region: string;
  /** TOTP multi-factor sign-in for the pool (`MFA_MODE`). */
  mfaMode: MfaMode;
}

export interface PoolIds {
  userPoolId: string;
  clientId: string;
}

/** Creates the demo admin in the pool once; later starts find it and leave it alone. */
async function ensureDemoAdmin(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<void> {
  const { email, password, name } = DEMO_ADMIN;
  try {
    await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
    return;
  } catch (error) {
    if ((error as Error).name !== 'UserNotFoundException') throw error;
  }
  await createConfirmedUser(client, userPoolId, { email, password, name, groups: ['admin'] });
}

/**
 * Makes sure the local pool has the stack's pool (with the UserMigration and PreSignUp
 * triggers and the MFA mode),
 * app client, `admin` group and demo admin, and returns their ids. Idempotent:
 * a restart finds everything by name and keeps every user.
 */
export async function bootstrapLocalPool(options: BootstrapOptions): Promise<PoolIds> {
  const client = createLocalCognitoClient(options.endpoint, options.region);
  try {
    const triggerArn = `arn:aws:lambda:${options.region}:000000000000:function:${USER_MIGRATION_FUNCTION}`;
    const { userPoolId, clientId } = await ensureUserPool(client, {
      poolName: LOCAL_POOL_NAME,
      clientName: LOCAL_CLIENT_NAME,
      groups: [...LOCAL_GROUPS],
      userMigrationLambdaArn: triggerArn,
      preSignUpLambdaArn: triggerArn,
      mfaConfiguration: POOL_MFA_CONFIGURATION[options.mfaMode],
    });
    await ensureDemoAdmin(client, userPoolId);
    return { userPoolId, clientId };
  } finally {
    client.destroy();
  }
}
