/**
 * Cognito user-pool operations that AWS serves without IAM credentials: they are
 * authorized by the user's token, or are public by design (sign-up, sign-in).
 * A server that calls only these needs no IAM permission for them.
 */
export const PUBLIC_COGNITO_OPERATIONS: ReadonlySet<string> = new Set([
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
  'InitiateAuth',
  'RespondToAuthChallenge',
  'GetUser',
  'UpdateUserAttributes',
  'DeleteUser',
  'DeleteUserAttributes',
  'VerifyUserAttribute',
  'GetUserAttributeVerificationCode',
  'GlobalSignOut',
  'RevokeToken',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'ChangePassword',
  'AssociateSoftwareToken',
  'VerifySoftwareToken',
  'SetUserMFAPreference',
  'ConfirmDevice',
  'ForgetDevice',
  'GetDevice',
  'ListDevices',
  'UpdateDeviceStatus',
]);

/**
 * The IAM-authorized Cognito operations the auth-server calls (its administration
 * routes, the admin MFA reset among them, `SIGNUP_CONFIRMATION=auto` and its readiness
 * check), granted on this one pool and nothing else.
 * A test compares this list with the commands the auth-server's source sends.
 */
export const AUTH_SERVER_COGNITO_OPERATIONS: readonly string[] = [
  'AdminAddUserToGroup',
  'AdminCreateUser',
  'AdminDeleteUser',
  'AdminDisableUser',
  'AdminEnableUser',
  'AdminGetUser',
  'AdminListGroupsForUser',
  'AdminRemoveUserFromGroup',
  'AdminResetUserPassword',
  'AdminSetUserMFAPreference',
  'AdminSetUserPassword',
  'AdminUserGlobalSignOut',
  'DescribeUserPool',
  'ListUsers',
];

/**
 * The IAM-authorized Cognito operations the operator's user-import command calls (issue 14):
 * the pool's description and CSV header, who is already in it, and the import jobs themselves.
 * Granted on this one pool by the `UserImportOperator` policy (`user-import.ts`).
 */
export const USER_IMPORT_COGNITO_OPERATIONS: readonly string[] = [
  'DescribeUserPool',
  'GetCSVHeader',
  'ListUsers',
  'CreateUserImportJob',
  'StartUserImportJob',
  'DescribeUserImportJob',
  'ListUserImportJobs',
  'StopUserImportJob',
];
