import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuthStack } from '../lib/auth-stack';
import { settingsFromContext } from '../lib/settings';

const app = new App();
// Every `cdk synth` and `cdk deploy` runs cdk-nag's AWS Solutions checks: a finding that is
// neither fixed nor acknowledged in code, with its reason, stops it (infra/README.md).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
new AuthStack(app, 'AuthStack', {
  description:
    'authstack: Cognito user pool with legacy-user migration, auth-server and resource-server on ECS/Fargate',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  settings: settingsFromContext(app.node),
});
app.synth();
