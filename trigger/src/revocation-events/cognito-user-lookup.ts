import {
  AdminGetUserCommand,
  UserNotFoundException,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { UserLookup } from './record-revocation';

/**
 * Resolves a username or alias to the user's `sub` with AdminGetUser (the only Cognito
 * permission this function has). A user the pool does not know is `undefined`; any other
 * fault throws, so the event is retried.
 */
export function cognitoUserLookup(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  timeoutMs: number,
): UserLookup {
  return {
    async findSub(username) {
      try {
        const user = await client.send(
          new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }),
          { abortSignal: AbortSignal.timeout(timeoutMs) },
        );
        return user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value;
      } catch (error) {
        if (error instanceof UserNotFoundException) return undefined;
        throw error;
      }
    },
  };
}
