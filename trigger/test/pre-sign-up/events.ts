import type { PreSignUpTriggerEvent } from 'aws-lambda';

/** The UUID Cognito sends as `userName` where email is the username. */
export const SUB = '8c1d5b0e-7f4a-4c2b-9a51-2f6e0d3b7a10';

/** A PreSignUp event as Cognito sends it: the response flags all false. */
export function preSignUpEvent(
  triggerSource: PreSignUpTriggerEvent['triggerSource'],
  userName: string,
  userAttributes: Record<string, string>,
  validationData?: Record<string, string>,
): PreSignUpTriggerEvent {
  return {
    version: '1',
    triggerSource,
    region: 'us-east-1',
    userPoolId: 'us-east-1_TestPool1',
    userName,
    callerContext: {
      awsSdkVersion: 'aws-sdk-unknown-unknown',
      clientId: triggerSource === 'PreSignUp_AdminCreateUser' ? 'CLIENT_ID_NOT_APPLICABLE' : 'c1',
    },
    request: {
      userAttributes,
      ...(validationData ? { validationData } : {}),
    },
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  } as PreSignUpTriggerEvent;
}
