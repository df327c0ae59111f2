import {
  CognitoIdentityProviderServiceException,
  InternalErrorException,
  NotAuthorizedException,
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
