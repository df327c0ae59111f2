import { App } from 'aws-cdk-lib';
import { DEFAULT_SETTINGS, settingsFromContext } from '../lib/settings';

const settingsFor = (context: Record<string, unknown>) =>
  settingsFromContext(new App({ context }).node);

describe('settingsFromContext', () => {
  it('uses the defaults when the context says nothing', () => {
    expect(settingsFor({})).toEqual({
      ...DEFAULT_SETTINGS,
      legacyDatabaseSecretArn: undefined,
      certificateArn: undefined,
    });
  });

  it('reads -c values, which arrive as strings', () => {
    expect(
      settingsFor({
        stage: 'prod',
        clientSecret: 'true',
        desiredCount: '3',
        maxCount: '6',
        migrationAllowedEmailDomains: 'example.com, example.org',
        signupConfirmation: 'code',
        stateDatabaseInstanceType: 'm7g.large',
        stateDatabaseMultiAz: 'true',
      }),
    ).toMatchObject({
      stage: 'prod',
      clientSecret: true,
      desiredCount: 3,
      maxCount: 6,
      migrationAllowedEmailDomains: ['example.com', 'example.org'],
      signupConfirmation: 'code',
      stateDatabaseInstanceType: 'm7g.large',
      stateDatabaseMultiAz: true,
    });
  });

  it.each([
    [{ stage: 'v1/../x' }, /context stage/],
    [{ clientSecret: 'yes' }, /context clientSecret: expected true or false/],
    [{ desiredCount: '0' }, /context desiredCount: expected a positive integer/],
    [{ desiredCount: '3', maxCount: '2' }, /context maxCount/],
    [{ signupConfirmation: 'email' }, /context signupConfirmation/],
    [{ stage: { nested: true } }, /context stage: expected a string/],
    [{ stateDatabaseInstanceType: 'db.t4g.small' }, /context stateDatabaseInstanceType/],
    [{ stateDatabaseMultiAz: 'yes' }, /context stateDatabaseMultiAz: expected true or false/],
  ])('refuses %j naming the key', (context, message) => {
    expect(() => settingsFor(context)).toThrow(message);
  });
});
