import type { UserMigrationTriggerEvent } from 'aws-lambda';
import {
  dispatchTrigger,
  setUpFailure,
  triggerNameOf,
  type CognitoTriggerEvent,
} from '../../src/dispatch-trigger';
import { LEGACY_STORE_UNAVAILABLE_MESSAGE } from '@authstack/shared';
import {
  InvalidTriggerEventError,
  LegacyStoreUnavailableError,
  REFUSAL_MESSAGE,
} from '../../src/domain/errors';
import {
  LegacyAccountExistsError,
  SIGN_UP_UNAVAILABLE_MESSAGE,
  SignUpUnavailableError,
} from '../../src/pre-sign-up/errors';
import {
  capturedLogger,
  FakeLegacyUserSource,
  migrationEvent,
  RecordedLatencies,
  settings,
} from '../support/fakes';
import { preSignUpEvent, SUB } from './events';

function setup() {
  const users = new FakeLegacyUserSource({
    'legacy@example.com': {
      password: 'Legacy-Passw0rd!',
      profile: {
        email: 'legacy@example.com',
        name: 'Legacy',
        emailVerified: true,
        disabled: false,
      },
    },
  });
  const { logger } = capturedLogger();
  return { users, deps: { users, settings: settings(), logger, metrics: new RecordedLatencies() } };
}

describe('dispatchTrigger — one function for the UserMigration and PreSignUp triggers', () => {
  it('sends PreSignUp_* events to the sign-up guard', async () => {
    const { deps, users } = setup();
    const event = preSignUpEvent('PreSignUp_SignUp', SUB, { email: 'legacy@example.com' });
    await expect(dispatchTrigger(event, deps)).rejects.toBeInstanceOf(LegacyAccountExistsError);
    expect(users.calls).toEqual([{ method: 'holdsAccount', email: 'legacy@example.com' }]);
  });

  it('sends UserMigration_* events to the migration', async () => {
    const { deps, users } = setup();
    const event = migrationEvent(
      'UserMigration_Authentication',
      'legacy@example.com',
      'Legacy-Passw0rd!',
    );
    const result = (await dispatchTrigger(event, deps)) as UserMigrationTriggerEvent;
    expect(result.response.finalUserStatus).toBe('CONFIRMED');
    expect(users.calls).toEqual([{ method: 'authenticate', email: 'legacy@example.com' }]);
  });

  it('refuses any other trigger source without asking the store', async () => {
    const { deps, users } = setup();
    const event = {
      ...migrationEvent('UserMigration_Authentication', 'legacy@example.com', 'x'),
      triggerSource: 'PostConfirmation_ConfirmSignUp',
    } as unknown as CognitoTriggerEvent;
    await expect(dispatchTrigger(event, deps)).rejects.toBeInstanceOf(InvalidTriggerEventError);
    expect(users.calls).toEqual([]);
  });

  it('answers a null event (Lambda hands over any JSON) as an invalid UserMigration event', async () => {
    const { deps, users } = setup();
    const event = null as unknown as CognitoTriggerEvent;
    expect(triggerNameOf(event)).toBe('UserMigration');
    await expect(dispatchTrigger(event, deps)).rejects.toBeInstanceOf(InvalidTriggerEventError);
    expect(users.calls).toEqual([]);
  });

  it('names the trigger of an event for its metrics', () => {
    expect(triggerNameOf(preSignUpEvent('PreSignUp_AdminCreateUser', SUB, {}))).toBe('PreSignUp');
    expect(triggerNameOf(migrationEvent('UserMigration_ForgotPassword', 'a@example.com'))).toBe(
      'UserMigration',
    );
  });
});

describe('setUpFailure — the legacy store could not be set up', () => {
  const cause = new Error('the legacy database secret has no string value');

  it('refuses a sign-up with the words of an unavailable store, not the set-up details', () => {
    const failure = setUpFailure(preSignUpEvent('PreSignUp_SignUp', SUB, {}), cause);
    expect(failure).toBeInstanceOf(SignUpUnavailableError);
    expect(failure).toMatchObject({ message: SIGN_UP_UNAVAILABLE_MESSAGE, cause });
  });

  it.each(['UserMigration_Authentication', 'UserMigration_ForgotPassword'] as const)(
    'fails %s as "cannot check right now" (the shared message), not as a refusal nor with the set-up details',
    (triggerSource) => {
      const failure = setUpFailure(migrationEvent(triggerSource, 'legacy@example.com'), cause);
      expect(failure).toBeInstanceOf(LegacyStoreUnavailableError);
      expect(failure).toMatchObject({ message: LEGACY_STORE_UNAVAILABLE_MESSAGE, cause });
      expect(failure.message).not.toBe(REFUSAL_MESSAGE);
    },
  );
});
