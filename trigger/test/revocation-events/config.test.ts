import { parseConfig } from '@authstack/shared';
import { revocationEventsConfigSchema } from '../../src/revocation-events/config';

const parse = (env: Record<string, string>) => parseConfig(revocationEventsConfigSchema, env);
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:authstack-state-AbCdEf';

describe('revocationEventsConfigSchema', () => {
  it('takes the store from a secret, as deployed', () => {
    expect(
      parse({
        USER_POOL_ID: 'eu-west-1_Q8bXr2Kd1',
        STATE_DATABASE_SECRET_ARN: SECRET,
        STATE_DATABASE_CA_FILE: '/var/runtime/ca-cert.pem',
        MAX_TOKEN_LIFETIME_SECONDS: '3600',
      }),
    ).toEqual({
      USER_POOL_ID: 'eu-west-1_Q8bXr2Kd1',
      STATE_DATABASE_SECRET_ARN: SECRET,
      STATE_DATABASE_CA_FILE: '/var/runtime/ca-cert.pem',
      STATE_DATABASE_TIMEOUT_MS: 3000,
      MAX_TOKEN_LIFETIME_SECONDS: 3600,
      LOG_LEVEL: 'info',
    });
  });

  it.each([
    [{ USER_POOL_ID: 'eu-west-1_Q8bXr2Kd1' }, /STATE_DATABASE_SECRET_ARN: required/],
    [{ STATE_DATABASE_URL: 'postgres://u@db/x' }, /USER_POOL_ID/],
    [
      { USER_POOL_ID: 'eu-west-1_Q8bXr2Kd1', STATE_DATABASE_SECRET_ARN: 'authstack-state' },
      /STATE_DATABASE_SECRET_ARN: must be a Secrets Manager secret ARN/,
    ],
    [
      {
        USER_POOL_ID: 'eu-west-1_Q8bXr2Kd1',
        STATE_DATABASE_URL: 'postgres://u@db/x',
        MAX_TOKEN_LIFETIME_SECONDS: '172800',
      },
      /MAX_TOKEN_LIFETIME_SECONDS/,
    ],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => parse(env)).toThrow(message);
  });
});
