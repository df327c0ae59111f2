import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  type AttributeType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

export interface ConfirmedUserOptions {
  email: string;
  password: string;
  name?: string;
  groups?: readonly string[];
  /** More attributes; `email`, `email_verified` and `name` are set already. */
  attributes?: AttributeType[];
}

/**
 * Creates a CONFIRMED user with a verified email, a permanent password and the given
 * groups, with no message sent — the way an administrator seeds a pool. Uses only
 * Cognito APIs, so it works on real Cognito as on the local pool.
 */
export async function createConfirmedUser(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  options: ConfirmedUserOptions,
): Promise<{ username: string; sub: string }> {
  const { email, password, name, groups = [], attributes = [] } = options;
  const created = await client.send(
    new AdminCreateUserCommand({
      UserPoolId: userPoolId,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
        ...(name === undefined ? [] : [{ Name: 'name', Value: name }]),
        ...attributes,
      ],
    }),
  );
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPoolId,
      Username: email,
      Password: password,
      Permanent: true,
    }),
  );
  for (const group of groups) {
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName: group }),
    );
  }
  const username = created.User?.Username ?? '';
  const sub = created.User?.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? '';
  return { username, sub };
}
