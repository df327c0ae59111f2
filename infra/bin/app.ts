import { App } from 'aws-cdk-lib';
import { AuthStack } from '../lib/auth-stack';
import { settingsFromContext } from '../lib/settings';

const app = new App();
new AuthStack(app, 'AuthStack', {
  description:
    'authstack: Cognito user pool with legacy-user migration, auth-server and resource-server on ECS/Fargate',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  settings: settingsFromContext(app.node),
});
app.synth();
