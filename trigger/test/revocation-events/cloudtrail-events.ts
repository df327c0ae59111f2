/**
 * EventBridge events of user-pool administration calls, in the shape CloudTrail records them
 * ("AWS API Call via CloudTrail": the EventBridge envelope, the CloudTrail record as
 * `detail`). Identifiers are made up; the pool uses email as its username attribute, so a
 * username is the user's sub.
 */
export const POOL_ID = 'eu-west-1_Q8bXr2Kd1';
export const OTHER_POOL_ID = 'eu-west-1_Zz9Yy8Xx7';
export const SUB = '3c1f6e2a-9d84-4b7e-a1f0-5e2d8c7b9a41';
export const EMAIL = 'ada@example.com';
export const EVENT_TIME = '2025-03-04T10:15:30Z';

type Json = Record<string, unknown>;

/** An operator in the AWS console (an assumed role, as with IAM Identity Center). */
const consoleOperator: Json = {
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLEID00000001:ops@example.com',
  arn: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/ops@example.com',
  accountId: '123456789012',
  accessKeyId: 'ASIAEXAMPLEKEY000001',
  sessionContext: {
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAEXAMPLEID00000001',
      arn: 'arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef',
      accountId: '123456789012',
      userName: 'AWSReservedSSO_Admin_0123456789abcdef',
    },
    attributes: { creationDate: '2025-03-04T09:58:02Z', mfaAuthenticated: 'false' },
  },
};

/** An IAM user with the AWS CLI. */
const cliUser: Json = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEID0000002',
  arn: 'arn:aws:iam::123456789012:user/ops-cli',
  accountId: '123456789012',
  accessKeyId: 'AKIAEXAMPLEKEY000002',
  userName: 'ops-cli',
};

function recorded(
  eventName: string,
  requestParameters: Json,
  options: { userIdentity?: Json; userAgent?: string; eventID: string; extra?: Json },
): Json {
  return {
    version: '0',
    id: `0f6b${options.eventID.slice(4)}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cognito-idp',
    account: '123456789012',
    time: EVENT_TIME,
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: options.userIdentity ?? consoleOperator,
      eventTime: EVENT_TIME,
      eventSource: 'cognito-idp.amazonaws.com',
      eventName,
      awsRegion: 'eu-west-1',
      sourceIPAddress: '203.0.113.24',
      userAgent:
        options.userAgent ??
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0 Safari/537.36',
      requestParameters,
      responseElements: null,
      requestID: 'a4d1c1f0-0b7e-4a52-9c55-7c0a4b7e2f10',
      eventID: options.eventID,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '123456789012',
      eventCategory: 'Management',
      tlsDetails: {
        tlsVersion: 'TLSv1.3',
        cipherSuite: 'TLS_AES_128_GCM_SHA256',
        clientProvidedHostHeader: 'cognito-idp.eu-west-1.amazonaws.com',
      },
      ...options.extra,
    },
  };
}

/** "Sign out of all sessions" in the console. */
export const adminUserGlobalSignOut = recorded(
  'AdminUserGlobalSignOut',
  { userPoolId: POOL_ID, username: SUB },
  { eventID: '5b2e1e53-6f0a-4c8e-8a51-3f2f0d7c6e01' },
);

/** "Disable user access" in the console. */
export const adminDisableUser = recorded(
  'AdminDisableUser',
  { userPoolId: POOL_ID, username: SUB },
  { eventID: '5b2e1e53-6f0a-4c8e-8a51-3f2f0d7c6e02' },
);

/** `aws cognito-idp admin-delete-user --username <sub>`. */
export const adminDeleteUser = recorded(
  'AdminDeleteUser',
  { userPoolId: POOL_ID, username: SUB },
  {
    eventID: '5b2e1e53-6f0a-4c8e-8a51-3f2f0d7c6e03',
    userIdentity: cliUser,
    userAgent:
      'aws-cli/2.24.10 md/awscrt#0.23.8 ua/2.1 os/linux#6.8 md/arch#x86_64 lang/python#3.12.9',
  },
);

/** "Remove user from group" in the console. */
export const adminRemoveUserFromGroup = recorded(
  'AdminRemoveUserFromGroup',
  { userPoolId: POOL_ID, username: SUB, groupName: 'admin' },
  { eventID: '5b2e1e53-6f0a-4c8e-8a51-3f2f0d7c6e04' },
);

/** The CLI naming the user by their email alias instead of their username. */
export const adminUserGlobalSignOutByEmail = recorded(
  'AdminUserGlobalSignOut',
  { userPoolId: POOL_ID, username: EMAIL },
  {
    eventID: '5b2e1e53-6f0a-4c8e-8a51-3f2f0d7c6e05',
    userIdentity: cliUser,
    userAgent:
      'aws-cli/2.24.10 md/awscrt#0.23.8 ua/2.1 os/linux#6.8 md/arch#x86_64 lang/python#3.12.9',
  },
);

/** Deleting by email alias: afterwards the pool no longer knows the alias. */
export const adminDeleteUserByEmail = recorded(
  'AdminDeleteUser',
  { userPoolId: POOL_ID, username: EMAIL },
  { eventID: '5b2e1e53-6f0a-4c8e-8a51-3f2f0d7c6e06', userIdentity: cliUser },
);

/** The same kind of call on another pool of the account. */
export const otherPoolSignOut = recorded(
  'AdminUserGlobalSignOut',
  { userPoolId: OTHER_POOL_ID, username: SUB },
  { eventID: '5b2e1e53-6f0a-4c8e-8a51-3f2f0d7c6e07' },
);

/** A call IAM refused: CloudTrail records it with an errorCode, and nothing changed. */
export const deniedSignOut = recorded(
  'AdminUserGlobalSignOut',
  { userPoolId: POOL_ID, username: SUB },
  {
    eventID: '5b2e1e53-6f0a-4c8e-8a51-3f2f0d7c6e08',
    extra: {
      errorCode: 'AccessDenied',
      errorMessage:
        'User: arn:aws:iam::123456789012:user/ops-cli is not authorized to perform: cognito-idp:AdminUserGlobalSignOut',
    },
  },
);

/** A username CloudTrail replaced with its redaction marker. */
export const hiddenUsernameSignOut = recorded(
  'AdminUserGlobalSignOut',
  { userPoolId: POOL_ID, username: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
  { eventID: '5b2e1e53-6f0a-4c8e-8a51-3f2f0d7c6e09' },
);

/** Not a CloudTrail API-call event at all (e.g. a test event from the console). */
export const malformed: Json = {
  version: '0',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  detail: {},
};

/** A group removal that lost its groupName. */
export const groupRemovalWithoutGroup = recorded(
  'AdminRemoveUserFromGroup',
  { userPoolId: POOL_ID, username: SUB },
  { eventID: '5b2e1e53-6f0a-4c8e-8a51-3f2f0d7c6e10' },
);
