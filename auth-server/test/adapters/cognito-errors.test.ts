import {
  CodeMismatchException,
  CognitoIdentityProviderServiceException,
  EnableSoftwareTokenMFAException,
  ExpiredCodeException,
  InternalErrorException,
  NotAuthorizedException,
  SoftwareTokenMFANotFoundException,
  UnexpectedLambdaException,
  UserLambdaValidationException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { COGNITO_ERRORS, UserPoolError, toUserPoolError } from '../../src/adapters/cognito-errors';

const $metadata = { httpStatusCode: 400 };
const SECRET_MESSAGE = 'Incorrect username or password for alice@example.com (Cognito detail)';

describe('toUserPoolError', () => {
  it('maps NotAuthorizedException at sign-in to invalid_credentials, elsewhere to invalid_token', () => {
    const error = new NotAuthorizedException({ message: SECRET_MESSAGE, $metadata });
    expect(toUserPoolError('signIn', error)).toMatchObject({
      status: 401,
      code: 'invalid_credentials',
    });
    expect(toUserPoolError('getUser', error)).toMatchObject({ status: 401, code: 'invalid_token' });
    expect(toUserPoolError('refresh', error)).toMatchObject({
      status: 401,
      code: 'invalid_refresh_token',
    });
  });

  it('gives an unknown user at sign-in the very same answer as a wrong password', () => {
    const unknown = toUserPoolError(
      'signIn',
      new UserNotFoundException({ message: 'User does not exist.', $metadata }),
    );
    const wrong = toUserPoolError(
      'signIn',
      new NotAuthorizedException({ message: 'Incorrect username or password.', $metadata }),
    );
    expect([unknown.status, unknown.code, unknown.message]).toEqual([
      wrong.status,
      wrong.code,
      wrong.message,
    ]);
  });

  it('never carries the upstream message or exception name in what the client sees', () => {
    const mapped = toUserPoolError(
      'signUp',
      new UsernameExistsException({ message: SECRET_MESSAGE, $metadata }),
    );
    expect(mapped).toBeInstanceOf(UserPoolError);
    expect(mapped).toMatchObject({
      status: 409,
      code: 'email_taken',
      upstream: 'UsernameExistsException',
    });
    expect(mapped.message).not.toContain('alice');
    expect(mapped.message).not.toContain('Exception');
  });

  it('answers 503 upstream_unavailable with Retry-After for server faults and network errors', () => {
    const fault = new InternalErrorException({
      message: 'boom',
      $metadata: { httpStatusCode: 500 },
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    for (const error of [fault, refused, timeout]) {
      const mapped = toUserPoolError('signIn', error);
      expect(mapped).toMatchObject({ status: 503, code: 'upstream_unavailable' });
      expect(mapped.headers['Retry-After']).toBe('1');
    }
    expect(toUserPoolError('signIn', refused).upstream).toBe('Error:ECONNREFUSED');
  });

  it('answers 500 for an exception the table does not know, and for missing credentials', () => {
    const unknown = new CognitoIdentityProviderServiceException({
      name: 'BrandNewException',
      $fault: 'client',
      message: 'new',
      $metadata,
    });
    expect(toUserPoolError('signIn', unknown)).toMatchObject({
      status: 500,
      code: 'internal_error',
    });
    const credentials = Object.assign(new Error('Could not load credentials'), {
      name: 'CredentialsProviderError',
    });
    expect(toUserPoolError('listUsers', credentials)).toMatchObject({ status: 500 });
  });

  it.each(['signUp', 'createUser'] as const)(
    'answers a PreSignUp refusal at %s exactly as an address already in the pool',
    (operation) => {
      const refused = toUserPoolError(
        operation,
        new UserLambdaValidationException({
          message: 'PreSignUp failed with error This email belongs to an account.',
          $metadata,
        }),
      );
      const taken = toUserPoolError(
        operation,
        new UsernameExistsException({
          message: 'An account with the given email already exists.',
          $metadata,
        }),
      );
      expect([refused.status, refused.code, refused.message, refused.headers]).toEqual([
        taken.status,
        taken.code,
        taken.message,
        taken.headers,
      ]);
      expect(refused).toMatchObject({ status: 409, code: 'email_taken' });
      expect(refused.upstream).toBe('UserLambdaValidationException');
    },
  );

  it('answers 503 when the PreSignUp function cannot be invoked at all', () => {
    const error = new UnexpectedLambdaException({
      message:
        'PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.',
      $metadata,
    });
    expect(toUserPoolError('signUp', error)).toMatchObject({
      status: 503,
      code: 'upstream_unavailable',
    });
  });

  it('tells a wrong MFA code, a replayed one and a dead session apart, at sign-in and at enrolment', () => {
    const mismatch = new CodeMismatchException({
      message: 'Invalid code received for user',
      $metadata,
    });
    const replay = new ExpiredCodeException({
      message: 'Your software token has already been used once.',
      $metadata,
    });
    const expired = new NotAuthorizedException({
      message: 'Invalid session for the user, session is expired.',
      $metadata,
    });
    const enrolMismatch = new EnableSoftwareTokenMFAException({
      message: 'Code mismatch and fail enable Software Token MFA',
      $metadata,
    });
    expect(toUserPoolError('totpChallenge', mismatch)).toMatchObject({
      status: 400,
      code: 'invalid_code',
    });
    expect(toUserPoolError('totpChallenge', replay)).toMatchObject({
      status: 400,
      code: 'code_already_used',
    });
    expect(toUserPoolError('totpChallenge', expired)).toMatchObject({
      status: 401,
      code: 'invalid_session',
    });
    expect(toUserPoolError('totpSetupChallenge', enrolMismatch)).toMatchObject({
      status: 400,
      code: 'invalid_code',
    });
    expect(toUserPoolError('totpSetupChallenge', expired).code).toBe('invalid_session');
    expect(toUserPoolError('totpVerify', enrolMismatch).code).toBe('invalid_code');
    expect(toUserPoolError('totpVerify', expired).code).toBe('invalid_token');
  });

  it('says why an authenticator cannot be enrolled or confirmed', () => {
    const notFound = new SoftwareTokenMFANotFoundException({
      message: 'Software Token MFA has not been enabled by the userPool.',
      $metadata,
    });
    expect(toUserPoolError('totpAssociate', notFound)).toMatchObject({
      status: 403,
      code: 'mfa_disabled',
    });
    expect(toUserPoolError('totpVerify', notFound)).toMatchObject({
      status: 409,
      code: 'enrolment_not_started',
    });
  });

  it('answers a wrong password when turning MFA off 400 incorrect_password, not 401', () => {
    const wrong = new NotAuthorizedException({
      message: 'Incorrect username or password.',
      $metadata,
    });
    expect(toUserPoolError('checkPassword', wrong)).toMatchObject({
      status: 400,
      code: 'incorrect_password',
    });
  });

  it('uses snake_case codes and 4xx/5xx statuses throughout the table', () => {
    const rules = [
      ...Object.values(COGNITO_ERRORS.default),
      ...Object.values(COGNITO_ERRORS.byOperation).flatMap((table) => Object.values(table ?? {})),
    ];
    for (const rule of rules) {
      expect(rule.code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(rule.status).toBeGreaterThanOrEqual(400);
      expect(rule.message).not.toMatch(/Exception/);
    }
  });
});
