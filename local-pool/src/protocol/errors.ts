/**
 * An error as Cognito's JSON 1.1 protocol sends it: HTTP 400 (unless a service fault)
 * with `{"__type": name, "message": message}` and header `x-amzn-ErrorType`.
 * The AWS SDK turns `name` into the matching exception class.
 */
export class CognitoError extends Error {
  readonly status: number;

  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

const make =
  (name: string) =>
  (message: string): CognitoError =>
    new CognitoError(name, message);

export const invalidParameter = make('InvalidParameterException');
export const notAuthorized = make('NotAuthorizedException');
export const userNotFound = make('UserNotFoundException');
export const resourceNotFound = make('ResourceNotFoundException');
export const usernameExists = make('UsernameExistsException');
export const aliasExists = make('AliasExistsException');
export const invalidPassword = make('InvalidPasswordException');
export const codeMismatch = make('CodeMismatchException');
export const expiredCode = make('ExpiredCodeException');
export const userNotConfirmed = make('UserNotConfirmedException');
export const passwordResetRequired = make('PasswordResetRequiredException');
export const groupExists = make('GroupExistsException');
export const unsupportedOperation = make('UnsupportedOperationException');
export const unsupportedTokenType = make('UnsupportedTokenTypeException');
export const serialization = make('SerializationException');
export const unknownOperation = make('UnknownOperationException');
export const missingAuthenticationToken = make('MissingAuthenticationTokenException');
export const tooManyFailedAttempts = make('TooManyFailedAttemptsException');
export const userLambdaValidation = make('UserLambdaValidationException');
export const unexpectedLambda = make('UnexpectedLambdaException');
export const invalidLambdaResponse = make('InvalidLambdaResponseException');
export const softwareTokenMfaNotFound = make('SoftwareTokenMFANotFoundException');
export const enableSoftwareTokenMfa = make('EnableSoftwareTokenMFAException');

/** The single message Cognito uses for a wrong password and (when hidden) an unknown user. */
export const INCORRECT_CREDENTIALS = 'Incorrect username or password.';
