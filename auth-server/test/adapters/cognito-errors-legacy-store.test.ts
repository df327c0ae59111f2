import {
  UserLambdaValidationException,
  UnexpectedLambdaException,
} from '@aws-sdk/client-cognito-identity-provider';
import { LEGACY_STORE_UNAVAILABLE_MESSAGE } from '@authstack/shared';
import { toUserPoolError, type PoolOperation } from '../../src/adapters/cognito-errors';

const $metadata = { httpStatusCode: 400 };

/** What Cognito answers when the UserMigration function threw `message`. */
const migrationThrew = (message: string) =>
  new UserLambdaValidationException({
    message: `UserMigration failed with error ${message}.`,
    $metadata,
  });

/** The calls in which Cognito runs the UserMigration trigger (a user not yet in the pool). */
const MIGRATING: PoolOperation[] = ['signIn', 'checkPassword', 'forgotPassword'];

describe('toUserPoolError — the UserMigration trigger could not check the legacy store', () => {
  it.each(MIGRATING)(
    '%s: answers 503 upstream_unavailable with Retry-After, never a credentials error',
    (operation) => {
      const mapped = toUserPoolError(operation, migrationThrew(LEGACY_STORE_UNAVAILABLE_MESSAGE));
      expect(mapped).toMatchObject({
        status: 503,
        code: 'upstream_unavailable',
        message: 'The legacy user store is unavailable; try again shortly.',
        upstream: 'UserLambdaValidationException',
      });
      expect(mapped.headers).toEqual({ 'Retry-After': '5' });
    },
  );

  it.each([
    ['signIn', 401, 'invalid_credentials'],
    ['checkPassword', 400, 'incorrect_password'],
    ['forgotPassword', 400, 'request_refused'],
  ] as const)(
    '%s: keeps a refusal of the trigger ("Bad password") what it was: %i %s',
    (operation, status, code) => {
      const mapped = toUserPoolError(operation, migrationThrew('Bad password'));
      expect(mapped).toMatchObject({ status, code });
      expect(mapped.headers).not.toHaveProperty('Retry-After');
    },
  );

  it('gives a refusal at sign-in the same answer as a wrong password of a pool user', () => {
    const refused = toUserPoolError('signIn', migrationThrew('Bad password'));
    const unknownMessage = toUserPoolError('signIn', migrationThrew('something else entirely'));
    for (const mapped of [refused, unknownMessage]) {
      expect([mapped.status, mapped.code, mapped.message]).toEqual([
        401,
        'invalid_credentials',
        'Incorrect email or password.',
      ]);
    }
  });

  it('reads the marker only where the UserMigration trigger runs: a PreSignUp refusal at sign-up stays email_taken', () => {
    const preSignUp = new UserLambdaValidationException({
      message: `PreSignUp failed with error ${LEGACY_STORE_UNAVAILABLE_MESSAGE}.`,
      $metadata,
    });
    expect(toUserPoolError('signUp', preSignUp)).toMatchObject({
      status: 409,
      code: 'email_taken',
    });
  });

  it('answers a UserMigration function that cannot be invoked at all 503 too', () => {
    const error = new UnexpectedLambdaException({
      message:
        'UserMigration invocation failed due to error Socket timeout while invoking Lambda function.',
      $metadata,
    });
    for (const operation of MIGRATING) {
      expect(toUserPoolError(operation, error)).toMatchObject({
        status: 503,
        code: 'upstream_unavailable',
      });
    }
  });
});
