import { App } from 'aws-cdk-lib';
import { parseConfig } from '@authstack/shared';
import { parseAuthServerConfig } from '@authstack/auth-server/config';
import { configSchema as resourceServerConfig } from '@authstack/resource-server/config';
import { stackConfigFromEnv } from '../../scripts/stack/config';
import { settingsFromContext } from '../lib/settings';

/** Every place a stage name is read, each answering the stage it would use (or throwing). */
const LOADERS: Record<string, (stage: string) => string> = {
  'auth-server': (STAGE) =>
    parseAuthServerConfig({
      AWS_REGION: 'us-east-1',
      USER_POOL_ID: 'us-east-1_Ab12Cd',
      USER_POOL_CLIENT_ID: 'abc123client',
      STAGE,
    }).STAGE,
  'resource-server': (STAGE) =>
    parseConfig(resourceServerConfig, {
      USER_POOL_ID: 'us-east-1_Ab12Cd',
      USER_POOL_CLIENT_ID: 'abc123client',
      STAGE,
    }).stage,
  'npm start': (STAGE) => stackConfigFromEnv({ STAGE }).stage,
  'CDK app': (stage) => settingsFromContext(new App({ context: { stage } }).node).stage,
};

const VALID = ['v1', 'prod', 'a', 'Stage_2-b', 'x'.repeat(32)];
const INVALID = [
  '../admin',
  'v1/x',
  '.',
  'v1.2',
  'v 1',
  'v1%2F',
  'v1?x',
  'étape',
  'x'.repeat(33),
  'x'.repeat(64),
];

describe('the stage name rule', () => {
  describe.each(Object.entries(LOADERS))('%s', (_name, load) => {
    it.each(VALID)('accepts %s', (stage) => {
      expect(load(stage)).toBe(stage);
    });

    it.each(INVALID)('refuses %s, naming the stage', (stage) => {
      expect(() => load(stage)).toThrow(/stage.*1 to 32 letters, digits, "_" or "-"/i);
    });

    it('uses v1 when no stage is given', () => {
      expect(load('')).toBe('v1');
    });
  });
});
