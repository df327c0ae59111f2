import {
  InternalErrorException,
  LimitExceededException,
  NotAuthorizedException,
  PasswordResetRequiredException,
  UserLambdaValidationException,
  UserNotConfirmedException,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  HttpError,
  LEGACY_STORE_UNAVAILABLE_MESSAGE,
  TooManyRequestsError,
} from '@authstack/shared';
import { parseMetricsText, sampleValue } from '@authstack/shared/http/metrics-text';
import { poolErrorName } from '../src/adapters/cognito-client';
import { toUserPoolError } from '../src/adapters/cognito-errors';
import type { Tokens } from '../src/domain/user-pool';
import { AuthServerMetrics, signInOutcomeOf } from '../src/metrics';

const $metadata = { httpStatusCode: 400 };
const failed = (error: unknown) => signInOutcomeOf({ error });
const tokens: Tokens = { idToken: 'i', accessToken: 'a', expiresIn: 3600, tokenType: 'Bearer' };

describe('signInOutcomeOf', () => {
  it('tells tokens (success) from a second step (challenge)', () => {
    expect(signInOutcomeOf({ outcome: { kind: 'signed_in', tokens } })).toBe('success');
    for (const kind of ['new_password_required', 'totp_required'] as const) {
      expect(signInOutcomeOf({ outcome: { kind, session: 's'.repeat(20) } })).toBe('challenge');
    }
  });

  it('names each refusal of the pool by what the client was answered', () => {
    const signIn = (error: Error) => failed(toUserPoolError('signIn', error));
    expect(signIn(new NotAuthorizedException({ message: 'no', $metadata }))).toBe(
      'invalid_credentials',
    );
    expect(signIn(new PasswordResetRequiredException({ message: 'reset', $metadata }))).toBe(
      'password_reset_required',
    );
    expect(signIn(new UserNotConfirmedException({ message: 'confirm', $metadata }))).toBe(
      'user_not_confirmed',
    );
    expect(signIn(new LimitExceededException({ message: 'slow down', $metadata }))).toBe(
      'rate_limited',
    );
    expect(signIn(new InternalErrorException({ message: 'down', $metadata }))).toBe(
      'upstream_unavailable',
    );
    const legacyDown = new UserLambdaValidationException({
      message: `UserMigration failed with error ${LEGACY_STORE_UNAVAILABLE_MESSAGE}.`,
      $metadata,
    });
    expect(signIn(legacyDown)).toBe('upstream_unavailable');
    expect(failed(new TooManyRequestsError(60))).toBe('rate_limited');
  });

  it('counts anything else as error', () => {
    expect(failed(new Error('bug'))).toBe('error');
    expect(failed(new HttpError(403, 'challenge_not_supported', 'no'))).toBe('error');
  });
});

describe('poolErrorName', () => {
  it('is the exception name, a socket error code, or the error class', () => {
    expect(poolErrorName(new NotAuthorizedException({ message: 'no', $metadata }))).toBe(
      'NotAuthorizedException',
    );
    expect(poolErrorName(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(
      'ECONNREFUSED',
    );
    expect(poolErrorName(new DOMException('late', 'TimeoutError'))).toBe('TimeoutError');
    expect(poolErrorName('thrown string')).toBe('unknown');
  });
});

describe('AuthServerMetrics', () => {
  it('shows every sign-in outcome from the start, at 0, in its own registry', async () => {
    const [first, second] = [new AuthServerMetrics(), new AuthServerMetrics()];
    first.signInEnded({ outcome: { kind: 'signed_in', tokens } });
    first.poolCall('InitiateAuth', 'ok', 0.02);
    const samples = parseMetricsText(await first.registry.metrics());
    const others = parseMetricsText(await second.registry.metrics());

    expect(sampleValue(samples, 'auth_sign_ins_total', { outcome: 'success' })).toBe(1);
    expect(sampleValue(samples, 'auth_sign_ins_total', { outcome: 'rate_limited' })).toBe(0);
    expect(samples.filter((sample) => sample.name === 'auth_sign_ins_total')).toHaveLength(8);
    expect(
      sampleValue(samples, 'cognito_requests_total', { operation: 'InitiateAuth', outcome: 'ok' }),
    ).toBe(1);
    expect(sampleValue(others, 'auth_sign_ins_total', { outcome: 'success' })).toBe(0);
  });
});
