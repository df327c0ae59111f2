import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { DEFAULT_PASSWORD_POLICY } from '@authstack/shared';
import { configSchema as authServerConfig } from '@authstack/auth-server/config';
import {
  AUTH_SERVER_COGNITO_OPERATIONS,
  PUBLIC_COGNITO_OPERATIONS,
} from '../lib/cognito-permissions';
import { REVOCATION_EVENT_NAMES } from '@authstack/trigger/revocation-events/cloudtrail-event';
import { ACCESS_LOG_PREFIX } from '../lib/access-logs';
import { REPO_ROOT, TRIGGER_BUNDLE_DIR } from '../lib/paths';
import { DEFAULT_SETTINGS, MFA_MODES } from '../lib/settings';
import { POOL_MFA_CONFIGURATION } from '../../scripts/stack/bootstrap';
import { VPC_NETWORK_INTERFACE_ACTIONS } from '../lib/lambda-role';
import { REVOKING_POOL_CALLS } from '../lib/revocation-events';
import { LAMBDA_RUNTIME_CA_BUNDLE, RDS_CA_BUNDLE_IN_IMAGE } from '../lib/state-store';
import { acknowledgedNagRules, logicalId, synthesize } from './support/synth';

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** Every resource of `type` in the template. */
function resourcesOf(template: Template, type: string): Resource[] {
  return Object.values(template.findResources(type) as Record<string, Resource>);
}

function containerOf(template: Template, name: string): Record<string, unknown> {
  const definitions = resourcesOf(template, 'AWS::ECS::TaskDefinition').flatMap(
    (task) => task.Properties.ContainerDefinitions as Record<string, unknown>[],
  );
  const container = definitions.find((definition) => definition.Name === name);
  if (!container) throw new Error(`no container named ${name}`);
  return container;
}

function environmentOf(container: Record<string, unknown>): Record<string, unknown> {
  const pairs = container.Environment as { Name: string; Value: unknown }[];
  return Object.fromEntries(pairs.map(({ Name, Value }) => [Name, Value]));
}

const statementsOf = (policy: Resource): Statement[] =>
  (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;

/** Every statement of every inline policy attached to the role whose logical id contains `hint`. */
function statementsOfRole(template: Template, hint: string): Statement[] {
  const role = logicalId(template, 'AWS::IAM::Role', hint);
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(role))
    .flatMap(statementsOf);
}

const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

const DEFAULT_MFA_MODE = DEFAULT_SETTINGS.mfaMode;

/** The stack as `cdk.json`'s context makes it; synthesized once for the file. */
const defaults = synthesize();

describe('AuthStack (default context)', () => {
  const { template, json } = defaults;
  const pool = logicalId(template, 'AWS::Cognito::UserPool', 'UserPool');
  const client = logicalId(template, 'AWS::Cognito::UserPoolClient', 'AppClient');
  const trigger = logicalId(template, 'AWS::Lambda::Function', 'UserMigration');

  describe('user pool', () => {
    it('signs people in by email, case-insensitively, with the password policy the servers check', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        UsernameAttributes: ['email'],
        UsernameConfiguration: { CaseSensitive: false },
        Policies: {
          PasswordPolicy: {
            MinimumLength: DEFAULT_PASSWORD_POLICY.MinimumLength,
            RequireUppercase: DEFAULT_PASSWORD_POLICY.RequireUppercase,
            RequireLowercase: DEFAULT_PASSWORD_POLICY.RequireLowercase,
            RequireNumbers: DEFAULT_PASSWORD_POLICY.RequireNumbers,
            RequireSymbols: DEFAULT_PASSWORD_POLICY.RequireSymbols,
          },
        },
        DeletionProtection: 'ACTIVE',
      });
    });

    it('has the admin group', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
        GroupName: 'admin',
        UserPoolId: { Ref: pool },
      });
    });

    it('attaches one function, the trigger bundle on Node 22, as both the UserMigration and PreSignUp triggers', () => {
      const pools = resourcesOf(template, 'AWS::Cognito::UserPool');
      expect(pools).toHaveLength(1);
      expect(pools[0]?.Properties.LambdaConfig).toEqual({
        UserMigration: { 'Fn::GetAtt': [trigger, 'Arn'] },
        PreSignUp: { 'Fn::GetAtt': [trigger, 'Arn'] },
      });
      const fn = (template.findResources('AWS::Lambda::Function')[trigger] as Resource).Properties;
      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: 5,
      });
      // The code is the bundle whose handler dispatches on triggerSource.
      expect(readFileSync(path.join(TRIGGER_BUNDLE_DIR, 'index.js'), 'utf8')).toContain(
        'PreSignUp_',
      );
    });

    it('lets only this user pool invoke the trigger, once for each trigger it is attached as', () => {
      const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter((permission) =>
        JSON.stringify(permission.Properties.FunctionName).includes(trigger),
      );
      expect(permissions.map((permission) => permission.Properties)).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [trigger, 'Arn'] },
          Principal: 'cognito-idp.amazonaws.com',
          SourceArn: { 'Fn::GetAtt': [pool, 'Arn'] },
        },
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [trigger, 'Arn'] },
          Principal: 'cognito-idp.amazonaws.com',
          SourceArn: { 'Fn::GetAtt': [pool, 'Arn'] },
        },
      ]);
      const ids = Object.keys(
        template.findResources('AWS::Lambda::Permission') as Record<string, Resource>,
      ).filter((id) => id.includes('Cognito'));
      expect(ids.filter((id) => id.includes('UserMigrationCognito'))).toHaveLength(1);
      expect(ids.filter((id) => id.includes('PreSignUpCognito'))).toHaveLength(1);
    });

    it('offers TOTP as the optional second factor, and no SMS', () => {
      const properties = resourcesOf(template, 'AWS::Cognito::UserPool')[0]?.Properties ?? {};
      expect(properties).toMatchObject({
        MfaConfiguration: 'OPTIONAL',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      });
      expect(properties).not.toHaveProperty('SmsConfiguration');
      // No role for Cognito to send SMS with: the one role it may assume is the user-import
      // role, which writes logs and nothing else, and no IAM policy grants sns:Publish.
      const trustedByCognito = Object.entries(
        template.findResources('AWS::IAM::Role') as Record<string, Resource>,
      )
        .filter(([, role]) =>
          JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes(
            'cognito-idp.amazonaws.com',
          ),
        )
        .map(([id]) => id);
      expect(trustedByCognito).toEqual([logicalId(template, 'AWS::IAM::Role', 'UserImportRole')]);
      const importRoleActions = statementsOfRole(template, 'UserImportRole').flatMap(actionsOf);
      expect(importRoleActions.length).toBeGreaterThan(0);
      for (const action of importRoleActions) expect(action).toMatch(/^logs:/);
      expect(
        resourcesOf(template, 'AWS::IAM::Policy').flatMap(statementsOf).flatMap(actionsOf),
      ).not.toContain('sns:Publish');
    });

    it('sends sign-up confirmation codes by email', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        AutoVerifiedAttributes: ['email'],
        VerificationMessageTemplate: Match.objectLike({ DefaultEmailOption: 'CONFIRM_WITH_CODE' }),
      });
    });
  });

  describe('app client', () => {
    it('allows USER_PASSWORD_AUTH and refresh only, hides user existence, revokes tokens, sets lifetimes', () => {
      const clients = template.findResources('AWS::Cognito::UserPoolClient') as Record<
        string,
        Resource
      >;
      const properties = clients[client]?.Properties ?? {};
      expect([...(properties.ExplicitAuthFlows as string[])].sort()).toEqual([
        'ALLOW_REFRESH_TOKEN_AUTH',
        'ALLOW_USER_PASSWORD_AUTH',
      ]);
      expect(properties).toMatchObject({
        UserPoolId: { Ref: pool },
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        GenerateSecret: false,
        AccessTokenValidity: 60,
        IdTokenValidity: 60,
        RefreshTokenValidity: 43200,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
      });
    });
  });

  describe('services', () => {
    const authServer = containerOf(template, 'auth-server');
    const resourceServer = containerOf(template, 'resource-server');

    it('wires the pool and client ids into both servers', () => {
      for (const container of [authServer, resourceServer]) {
        expect(environmentOf(container)).toMatchObject({
          USER_POOL_ID: { Ref: pool },
          USER_POOL_CLIENT_ID: { Ref: client },
          AWS_REGION: { Ref: 'AWS::Region' },
          STAGE: 'v1',
          HOST: '0.0.0.0',
        });
      }
      expect(environmentOf(authServer)).toMatchObject({ PORT: '3000', TRUST_PROXY: '1' });
      expect(environmentOf(resourceServer)).not.toHaveProperty('MFA_MODE');
      expect(environmentOf(resourceServer)).toMatchObject({ PORT: '4000' });
      expect(environmentOf(resourceServer)).not.toHaveProperty('ALLOW_INSECURE_JWKS');
    });

    it('gives the auth-server the MFA mode the pool has and code confirmation', () => {
      expect(environmentOf(authServer)).toMatchObject({
        MFA_MODE: 'optional',
        SIGNUP_CONFIRMATION: 'code',
      });
    });

    it('checks container health on /healthz, runs an init process and gives SIGTERM time to drain', () => {
      for (const [container, port] of [
        [authServer, 3000],
        [resourceServer, 4000],
      ] as const) {
        expect(container).toMatchObject({
          Essential: true,
          ReadonlyRootFilesystem: true,
          StopTimeout: 15,
          LinuxParameters: { InitProcessEnabled: true },
          HealthCheck: {
            Command: ['CMD', 'node', '-e', expect.stringContaining(`127.0.0.1:${port}/healthz`)],
          },
          LogConfiguration: { LogDriver: 'awslogs' },
        });
      }
    });

    it('takes targets in and out of the load balancer on /readyz', () => {
      const groups = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup');
      expect(groups.map((group) => group.Properties.Port).sort()).toEqual([3000, 4000]);
      for (const group of groups)
        expect(group.Properties).toMatchObject({
          HealthCheckPath: '/readyz',
          Matcher: { HttpCode: '200' },
        });
    });

    it('routes the auth-server paths and the account pages to it, the rest of the API to the resource-server, and answers anything else itself', () => {
      const authTargets = logicalId(
        template,
        'AWS::ElasticLoadBalancingV2::TargetGroup',
        'AuthServer',
      );
      const resourceTargets = logicalId(
        template,
        'AWS::ElasticLoadBalancingV2::TargetGroup',
        'ResourceServer',
      );
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Actions: [{ Type: 'forward', TargetGroupArn: { Ref: authTargets } }],
        Conditions: [
          {
            Field: 'path-pattern',
            PathPatternConfig: {
              Values: [
                '/v1/api/user',
                '/v1/api/user/*',
                '/v1/api/admin/users',
                '/v1/api/admin/users/*',
                '/v1/api/openapi.json',
              ],
            },
          },
        ],
      });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Actions: [{ Type: 'forward', TargetGroupArn: { Ref: authTargets } }],
        Conditions: [
          {
            Field: 'path-pattern',
            PathPatternConfig: { Values: ['/v1/account', '/v1/account/*'] },
          },
        ],
      });
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        Priority: 20,
        Actions: [{ Type: 'forward', TargetGroupArn: { Ref: resourceTargets } }],
        Conditions: [
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/v1/api', '/v1/api/*'] } },
        ],
      });
      const listeners = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener');
      expect(listeners).toHaveLength(1);
      expect(listeners[0]?.Properties).toMatchObject({
        Port: 80,
        DefaultActions: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode: '404', ContentType: 'application/json' },
          },
        ],
      });
      const [fixed] = listeners[0]?.Properties.DefaultActions as {
        FixedResponseConfig: { MessageBody: string };
      }[];
      expect(JSON.parse(fixed?.FixedResponseConfig.MessageBody ?? '')).toEqual({
        error: {
          code: 'not_found',
          message: 'No such path: the APIs are under /v1/api/, the account pages under /v1/account',
          requestId: '',
        },
      });
    });

    it('gives the auth-server one generated CSRF signing secret, the same for every task, as an ECS secret only', () => {
      const csrf = logicalId(template, 'AWS::SecretsManager::Secret', 'AccountCsrfSecret');
      const secret = (template.findResources('AWS::SecretsManager::Secret')[csrf] as Resource)
        .Properties;
      expect(secret).not.toHaveProperty('SecretString');
      expect(secret.GenerateSecretString).toEqual({
        PasswordLength: 64,
        ExcludePunctuation: true,
      });
      // A generated value of that length is one the auth-server accepts.
      const { PasswordLength } = secret.GenerateSecretString as { PasswordLength: number };
      expect(
        authServerConfig.shape.ACCOUNT_CSRF_SECRET.safeParse('x'.repeat(PasswordLength)).success,
      ).toBe(true);
      expect(authServer.Secrets).toContainEqual({
        Name: 'ACCOUNT_CSRF_SECRET',
        ValueFrom: { Ref: csrf },
      });
      expect(environmentOf(authServer)).not.toHaveProperty('ACCOUNT_CSRF_SECRET');
      expect(JSON.stringify(resourceServer)).not.toContain('ACCOUNT_CSRF_SECRET');
      // One task definition for the service: every task gets the same value.
      expect(
        resourcesOf(template, 'AWS::ECS::TaskDefinition').filter((task) =>
          JSON.stringify(task.Properties.ContainerDefinitions).includes('ACCOUNT_CSRF_SECRET'),
        ),
      ).toHaveLength(1);
    });

    it("points the account pages' resource button at the resource API through the load balancer, and keeps their cookies Secure", () => {
      const loadBalancer = logicalId(
        template,
        'AWS::ElasticLoadBalancingV2::LoadBalancer',
        'LoadBalancer',
      );
      const base = (path: string) => ({
        'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [loadBalancer, 'DNSName'] }, path]],
      });
      expect(environmentOf(authServer).ACCOUNT_RESOURCE_API_URL).toEqual(base('/v1/api'));
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(outputs.ApiUrl?.Value).toEqual(base('/v1/api'));
      expect(outputs.AccountUrl?.Value).toEqual(base('/v1/account'));
      // Secure is the server's default; nothing here turns it off.
      expect(environmentOf(authServer)).not.toHaveProperty('ACCOUNT_COOKIE_SECURE');
      expect(environmentOf(authServer)).not.toHaveProperty('CORS_ORIGINS');
    });

    it('scales each service on CPU', () => {
      template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 2);
      template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: 2,
        MaxCapacity: 4,
        ScalableDimension: 'ecs:service:DesiredCount',
      });
      const policies = template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy', {
        Properties: {
          TargetTrackingScalingPolicyConfiguration: {
            PredefinedMetricSpecification: {
              PredefinedMetricType: 'ECSServiceAverageCPUUtilization',
            },
            TargetValue: 60,
          },
        },
      });
      expect(Object.keys(policies)).toHaveLength(2);
    });

    it('keeps every log group for a set time', () => {
      // Each server's and each Lambda's logs, and each server's metrics (EMF) group.
      const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
      expect(groups).toHaveLength(6);
      for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
    });
  });

  describe('least privilege', () => {
    it('lets the auth-server call exactly the operations it uses, on this pool only', () => {
      const cognito = statementsOfRole(template, 'AuthServerTaskTaskRole').filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('cognito-idp:')),
      );
      expect(cognito).toHaveLength(1);
      expect(cognito[0]?.Effect).toBe('Allow');
      expect(cognito[0]?.Resource).toEqual({ 'Fn::GetAtt': [pool, 'Arn'] });
      expect([...actionsOf(cognito[0] as Statement)].sort()).toEqual(
        AUTH_SERVER_COGNITO_OPERATIONS.map((operation) => `cognito-idp:${operation}`).sort(),
      );
    });

    it('gives the resource-server no AWS permission but its telemetry (it verifies tokens with public keys)', () => {
      const metrics = logicalId(template, 'AWS::Logs::LogGroup', 'ResourceServerMetricsLogs');
      expect(statementsOfRole(template, 'ResourceServerTaskTaskRole')).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [metrics, 'Arn'] },
        },
        {
          Sid: 'SendTraceSegments',
          Effect: 'Allow',
          Action: 'xray:PutTraceSegments',
          Resource: '*',
        },
      ]);
    });

    it('grants nothing with a wildcard action', () => {
      const statements = resourcesOf(template, 'AWS::IAM::Policy').flatMap(statementsOf);
      for (const statement of statements)
        for (const action of actionsOf(statement)) expect(action).not.toMatch(/(^\*$|:\*$)/);
    });

    it('gives each Lambda function a role of its own without AWS managed policies, writing to its own log group only', () => {
      for (const [role, logs] of [
        ['UserMigrationRole', 'UserMigrationLogs'],
        ['RevocationEventsFunctionRole', 'RevocationEventsLogs'],
      ] as const) {
        const id = logicalId(template, 'AWS::IAM::Role', role);
        const properties = (template.findResources('AWS::IAM::Role')[id] as Resource).Properties;
        expect({ role, managed: properties.ManagedPolicyArns }).toEqual({
          role,
          managed: undefined,
        });
        const statements = statementsOfRole(template, role);
        const logWrites = statements.filter((statement) =>
          actionsOf(statement).some((action) => action.startsWith('logs:')),
        );
        expect({ role, logWrites }).toEqual({
          role,
          logWrites: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: {
                'Fn::GetAtt': [logicalId(template, 'AWS::Logs::LogGroup', logs), 'Arn'],
              },
            },
          ],
        });
        expect(
          statements.find((statement) =>
            actionsOf(statement).includes('ec2:CreateNetworkInterface'),
          ),
        ).toEqual({
          Sid: 'VpcNetworkInterfaces',
          Effect: 'Allow',
          Action: [...VPC_NETWORK_INTERFACE_ACTIONS],
          Resource: '*',
        });
      }
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [logicalId(template, 'AWS::IAM::Role', 'UserMigrationRole'), 'Arn'] },
      });
    });
  });

  describe("cdk-nag's AWS Solutions checks", () => {
    it('leave no finding that is neither fixed nor acknowledged', () => {
      expect(defaults.nagFindings()).toEqual([]);
    });

    it('are acknowledged for exactly these findings, each with a reason', () => {
      const acknowledged = acknowledgedNagRules(defaults.app);
      expect(acknowledged.map(({ path, rule }) => `${rule} at ${path}`).sort()).toEqual(
        [
          'AwsSolutions-COG2 at AuthStack/Users/UserPool',
          'AwsSolutions-COG8 at AuthStack/Users/UserPool',
          'AwsSolutions-EC23 at AuthStack/LoadBalancer',
          'AwsSolutions-ECS2 at AuthStack/AuthServer/Task',
          'AwsSolutions-ECS2 at AuthStack/ResourceServer/Task',
          'AwsSolutions-ELB2 at AuthStack/LoadBalancer',
          'AwsSolutions-IAM5[Resource::*] at AuthStack/AuthServer/Task/ExecutionRole',
          'AwsSolutions-IAM5[Resource::*] at AuthStack/AuthServer/Task/TaskRole',
          'AwsSolutions-IAM5[Resource::*] at AuthStack/ResourceServer/Task/ExecutionRole',
          'AwsSolutions-IAM5[Resource::*] at AuthStack/ResourceServer/Task/TaskRole',
          'AwsSolutions-IAM5[Resource::*] at AuthStack/RevocationEvents/FunctionRole',
          'AwsSolutions-IAM5[Resource::*] at AuthStack/Users/UserMigrationRole',
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/cognito/*] at AuthStack/UserImport/Role`,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/cognito/userpools/<${pool}>/*] at AuthStack/UserImport/UserImportOperator`,
          'AwsSolutions-L1 at AuthStack/RevocationEvents/Function',
          'AwsSolutions-L1 at AuthStack/Users/UserMigration',
          'AwsSolutions-RDS11 at AuthStack/StateStore/Database',
          'AwsSolutions-RDS3 at AuthStack/StateStore/Database',
          'AwsSolutions-S1 at AuthStack/AccessLogs/Bucket',
          'AwsSolutions-SMG4 at AuthStack/AccountCsrfSecret',
          'AwsSolutions-SMG4 at AuthStack/StateStore/Secret',
          'AwsSolutions-SMG4 at AuthStack/Users/LegacyDatabaseSecret',
        ].sort(),
      );
      for (const { rule, reason } of acknowledged)
        expect({ rule, reasoned: reason.length >= 80 }).toEqual({ rule, reasoned: true });
    });
  });

  describe('secrets', () => {
    it('gives the trigger the legacy database URL only as a Secrets Manager reference it may read', () => {
      const secret = logicalId(template, 'AWS::SecretsManager::Secret', 'LegacyDatabaseSecret');
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ LEGACY_DATABASE_SECRET_ARN: { Ref: secret } }),
        },
      });
      for (const fn of resourcesOf(template, 'AWS::Lambda::Function'))
        expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toContain(
          'LEGACY_DATABASE_URL',
        );
      const reads = statementsOfRole(template, 'UserMigrationRole').filter((statement) =>
        actionsOf(statement).includes('secretsmanager:GetSecretValue'),
      );
      expect(reads.map((statement) => statement.Resource)).toEqual([{ Ref: secret }]);
    });

    it('holds no password, connection string with a password, or client secret in plain text', () => {
      const urls = json.match(/postgres(ql)?:\/\/[^"]*/g) ?? [];
      expect(urls.length).toBeGreaterThan(0);
      // The state store URL names its user only; PGPASSWORD comes from Secrets Manager.
      for (const url of urls) expect(url).toMatch(/^postgres:\/\/[a-z_]+@$/);
      expect(json.match(/USER_POOL_CLIENT_SECRET/)).toBeNull();
      expect(json.match(/"(SecretString|Password|ClientSecret)"/)).toBeNull();
      expect(json).not.toContain('MasterUserPassword":"');
    });
  });

  describe('state store', () => {
    const database = logicalId(template, 'AWS::RDS::DBInstance', 'StateStoreDatabase');
    const databaseGroup = logicalId(template, 'AWS::EC2::SecurityGroup', 'StateStoreSecurityGroup');
    const secret = logicalId(template, 'AWS::SecretsManager::Secret', 'StateStoreSecret');
    const attachment = logicalId(
      template,
      'AWS::SecretsManager::SecretTargetAttachment',
      'StateStoreSecretAttachment',
    );
    const groupId = (hint: string) => ({
      'Fn::GetAtt': [logicalId(template, 'AWS::EC2::SecurityGroup', hint), 'GroupId'],
    });

    it('is RDS for PostgreSQL 16, private, encrypted, backed up for 7 days, protected from deletion', () => {
      const instance = template.findResources('AWS::RDS::DBInstance')[database] as Resource;
      expect(instance.Properties).toMatchObject({
        Engine: 'postgres',
        EngineVersion: '16',
        DBInstanceClass: 'db.t4g.small',
        DBName: 'authstack_state',
        Port: '5432',
        PubliclyAccessible: false,
        StorageEncrypted: true,
        StorageType: 'gp3',
        BackupRetentionPeriod: 7,
        DeletionProtection: true,
        MultiAZ: false,
        CACertificateIdentifier: 'rds-ca-rsa2048-g1',
        VPCSecurityGroups: [{ 'Fn::GetAtt': [databaseGroup, 'GroupId'] }],
      });
      // Deleting the stack (once protection is lifted) leaves a final snapshot.
      expect(instance.DeletionPolicy).toBe('Snapshot');
      expect(instance.UpdateReplacePolicy).toBe('Snapshot');
      expect(resourcesOf(template, 'AWS::RDS::DBInstance')).toHaveLength(1);
      expect(resourcesOf(template, 'AWS::RDS::DBCluster')).toEqual([]);
    });

    it('accepts TLS connections only', () => {
      template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
        Family: 'postgres16',
        Parameters: { 'rds.force_ssl': '1' },
      });
    });

    it('uses credentials generated into Secrets Manager and attached to the instance', () => {
      const generated = (template.findResources('AWS::SecretsManager::Secret')[secret] as Resource)
        .Properties;
      expect(generated).toMatchObject({
        GenerateSecretString: {
          GenerateStringKey: 'password',
          SecretStringTemplate: JSON.stringify({
            username: 'authstack',
            dbname: 'authstack_state',
          }),
          ExcludeCharacters: expect.any(String),
        },
      });
      // Characters that would need escaping in a URL never appear in the password.
      const excluded = (generated.GenerateSecretString as { ExcludeCharacters: string })
        .ExcludeCharacters;
      for (const character of ['/', '@', ':', '%', '?', '#', '&'])
        expect({ character, excluded: excluded.includes(character) }).toEqual({
          character,
          excluded: true,
        });
      template.hasResourceProperties('AWS::RDS::DBInstance', {
        MasterUsername: {
          'Fn::Join': [
            '',
            ['{{resolve:secretsmanager:', { Ref: secret }, ':SecretString:username::}}'],
          ],
        },
        MasterUserPassword: {
          'Fn::Join': [
            '',
            ['{{resolve:secretsmanager:', { Ref: secret }, ':SecretString:password::}}'],
          ],
        },
      });
      template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
        SecretId: { Ref: secret },
        TargetId: { Ref: database },
        TargetType: 'AWS::RDS::DBInstance',
      });
    });

    it('lets in PostgreSQL from the two services and the revocation Lambda, and nothing else', () => {
      const group = template.findResources('AWS::EC2::SecurityGroup')[databaseGroup] as Resource;
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
      expect(group.Properties.SecurityGroupEgress).toEqual([
        expect.objectContaining({
          CidrIp: '255.255.255.255/32',
          Description: 'Disallow all traffic',
        }),
      ]);
      const ingress = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')
        .map((rule) => rule.Properties)
        .filter(
          (rule) =>
            JSON.stringify(rule.GroupId) ===
            JSON.stringify({ 'Fn::GetAtt': [databaseGroup, 'GroupId'] }),
        );
      expect(ingress).toHaveLength(3);
      for (const rule of ingress)
        expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432 });
      expect(ingress.map((rule) => rule.SourceSecurityGroupId)).toEqual(
        expect.arrayContaining([
          groupId('AuthServerServiceSecurityGroup'),
          groupId('ResourceServerServiceSecurityGroup'),
          groupId('RevocationEventsSecurityGroup'),
        ]),
      );
    });

    it('gives both servers STATE_DATABASE_URL without a password (TLS verified against the RDS CA) and PGPASSWORD as an ECS secret', () => {
      const url = {
        'Fn::Join': [
          '',
          [
            'postgres://authstack@',
            { 'Fn::GetAtt': [database, 'Endpoint.Address'] },
            ':',
            { 'Fn::GetAtt': [database, 'Endpoint.Port'] },
            `/authstack_state?sslmode=verify-full&sslrootcert=${RDS_CA_BUNDLE_IN_IMAGE}`,
          ],
        ],
      };
      const password = {
        Name: 'PGPASSWORD',
        ValueFrom: { 'Fn::Join': ['', [{ Ref: attachment }, ':password::']] },
      };
      for (const name of ['auth-server', 'resource-server']) {
        const container = containerOf(template, name);
        expect({ name, url: environmentOf(container).STATE_DATABASE_URL }).toEqual({ name, url });
        expect({ name, secrets: container.Secrets }).toEqual({
          name,
          secrets:
            name === 'auth-server'
              ? [password, expect.objectContaining({ Name: 'ACCOUNT_CSRF_SECRET' })]
              : [password],
        });
      }
      // Revocations are kept as long as the pool's tokens live (1 h), not the default day.
      expect(environmentOf(containerOf(template, 'auth-server'))).toMatchObject({
        MAX_TOKEN_LIFETIME_SECONDS: '3600',
      });
    });

    it('lets each task read only its secrets, and only at start (the execution role)', () => {
      const csrf = logicalId(template, 'AWS::SecretsManager::Secret', 'AccountCsrfSecret');
      for (const [hint, secrets] of [
        ['AuthServerTaskExecutionRole', [{ Ref: attachment }, { Ref: csrf }]],
        ['ResourceServerTaskExecutionRole', [{ Ref: attachment }]],
      ] as const) {
        const reads = statementsOfRole(template, hint).filter((statement) =>
          actionsOf(statement).includes('secretsmanager:GetSecretValue'),
        );
        expect({ hint, resources: reads.map((statement) => statement.Resource) }).toEqual({
          hint,
          resources: secrets,
        });
      }
      for (const hint of ['AuthServerTaskTaskRole', 'ResourceServerTaskTaskRole'])
        expect(
          statementsOfRole(template, hint)
            .flatMap(actionsOf)
            .filter((action) => action.startsWith('secretsmanager:')),
        ).toEqual([]);
    });
  });

  describe('sign-outs made outside the auth-server (CloudTrail → EventBridge → Lambda)', () => {
    const fn = logicalId(template, 'AWS::Lambda::Function', 'RevocationEventsFunction');
    const rule = logicalId(template, 'AWS::Events::Rule', 'RevocationEventsRule');
    const queue = logicalId(template, 'AWS::SQS::Queue', 'RevocationEventsDeadLetters');
    const lambdaGroup = logicalId(
      template,
      'AWS::EC2::SecurityGroup',
      'RevocationEventsSecurityGroup',
    );
    const databaseGroup = logicalId(template, 'AWS::EC2::SecurityGroup', 'StateStoreSecurityGroup');
    const attachment = logicalId(
      template,
      'AWS::SecretsManager::SecretTargetAttachment',
      'StateStoreSecretAttachment',
    );
    const ruleProperties = (template.findResources('AWS::Events::Rule')[rule] as Resource)
      .Properties;
    const fnProperties = (template.findResources('AWS::Lambda::Function')[fn] as Resource)
      .Properties;

    it('matches the successful revoking calls on this pool, as CloudTrail reports them', () => {
      expect(ruleProperties.EventPattern).toEqual({
        source: ['aws.cognito-idp'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cognito-idp.amazonaws.com'],
          eventName: [
            'AdminUserGlobalSignOut',
            'AdminDisableUser',
            'AdminDeleteUser',
            'AdminRemoveUserFromGroup',
          ],
          requestParameters: { userPoolId: [{ Ref: pool }] },
          errorCode: [{ exists: false }],
        },
      });
      expect(ruleProperties.State).toBe('ENABLED');
    });

    it('matches exactly the calls the Lambda handles', () => {
      expect([...REVOKING_POOL_CALLS].sort()).toEqual([...REVOCATION_EVENT_NAMES].sort());
    });

    it('targets the Lambda, with retries and a dead-letter queue, and only the rule may invoke it', () => {
      expect(ruleProperties.Targets).toEqual([
        {
          Id: 'Target0',
          Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue, 'Arn'] } },
        },
      ]);
      const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter((permission) =>
        JSON.stringify(permission.Properties.FunctionName).includes(fn),
      );
      expect(permissions.map((permission) => permission.Properties)).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] },
          Principal: 'events.amazonaws.com',
          SourceArn: { 'Fn::GetAtt': [rule, 'Arn'] },
        },
      ]);
      expect(fnProperties.DeadLetterConfig).toEqual({
        TargetArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fn },
        MaximumRetryAttempts: 2,
      });
    });

    it('runs the revocation bundle on Node 22 with the store secret, the RDS CA and the token lifetime', () => {
      expect(fnProperties).toMatchObject({
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Architectures: ['arm64'],
        Environment: {
          Variables: {
            USER_POOL_ID: { Ref: pool },
            STATE_DATABASE_SECRET_ARN: { Ref: attachment },
            STATE_DATABASE_CA_FILE: LAMBDA_RUNTIME_CA_BUNDLE,
            MAX_TOKEN_LIFETIME_SECONDS: '3600',
            NODE_OPTIONS: '--enable-source-maps',
          },
        },
      });
    });

    it('runs in the private subnets with its own security group: out to the store and to HTTPS only', () => {
      expect(fnProperties.VpcConfig).toEqual({
        SecurityGroupIds: [{ 'Fn::GetAtt': [lambdaGroup, 'GroupId'] }],
        SubnetIds: [
          { Ref: logicalId(template, 'AWS::EC2::Subnet', 'privateSubnet1') },
          { Ref: logicalId(template, 'AWS::EC2::Subnet', 'privateSubnet2') },
        ],
      });
      const group = (template.findResources('AWS::EC2::SecurityGroup')[lambdaGroup] as Resource)
        .Properties;
      expect(group.SecurityGroupIngress).toBeUndefined();
      expect(group.SecurityGroupEgress).toEqual([
        expect.objectContaining({
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
        }),
      ]);
      const egress = resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')
        .map((rule) => rule.Properties)
        .filter((rule) => JSON.stringify(rule.GroupId).includes(lambdaGroup));
      expect(egress).toEqual([
        expect.objectContaining({
          DestinationSecurityGroupId: { 'Fn::GetAtt': [databaseGroup, 'GroupId'] },
          IpProtocol: 'tcp',
          FromPort: 5432,
          ToPort: 5432,
        }),
      ]);
    });

    it('may read the store secret, call AdminGetUser on this pool, write its dead letters and its logs, and attach to the VPC: nothing more', () => {
      const logs = logicalId(template, 'AWS::Logs::LogGroup', 'RevocationEventsLogs');
      const statements = statementsOfRole(template, 'RevocationEventsFunctionRole');
      expect(
        statements
          .map((statement) => ({
            actions: [...actionsOf(statement)].sort(),
            resource: statement.Resource,
          }))
          .sort((a, b) => (a.actions[0] ?? '').localeCompare(b.actions[0] ?? '')),
      ).toEqual([
        { actions: ['cognito-idp:AdminGetUser'], resource: { 'Fn::GetAtt': [pool, 'Arn'] } },
        { actions: [...VPC_NETWORK_INTERFACE_ACTIONS].sort(), resource: '*' },
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resource: { 'Fn::GetAtt': [logs, 'Arn'] },
        },
        {
          actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
          resource: { Ref: attachment },
        },
        { actions: ['sqs:SendMessage'], resource: { 'Fn::GetAtt': [queue, 'Arn'] } },
      ]);
    });
  });
});

describe.each(MFA_MODES.filter((mode) => mode !== DEFAULT_MFA_MODE))(
  'AuthStack (-c mfaMode=%s -c signupConfirmation=auto)',
  (mfaMode) => {
    const { template, app, nagFindings } = synthesize({ mfaMode, signupConfirmation: 'auto' });
    const pool = resourcesOf(template, 'AWS::Cognito::UserPool')[0]?.Properties ?? {};

    it("leaves no cdk-nag finding, and acknowledges optional MFA only while MFA isn't required", () => {
      expect(nagFindings()).toEqual([]);
      expect(acknowledgedNagRules(app).some(({ rule }) => rule === 'AwsSolutions-COG2')).toBe(
        mfaMode !== 'required',
      );
    });

    it('sets the pool MfaConfiguration the local bootstrap sets for this mode', () => {
      expect(pool.MfaConfiguration).toBe(
        { off: 'OFF', optional: 'OPTIONAL', required: 'ON' }[mfaMode],
      );
      expect(pool.MfaConfiguration).toBe(POOL_MFA_CONFIGURATION[mfaMode]);
      if (mfaMode === 'off') expect(pool).not.toHaveProperty('EnabledMfas');
      else expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
      expect(pool).not.toHaveProperty('SmsConfiguration');
    });

    it('gives the auth-server the same MFA_MODE and the chosen SIGNUP_CONFIRMATION', () => {
      expect(environmentOf(containerOf(template, 'auth-server'))).toMatchObject({
        MFA_MODE: mfaMode,
        SIGNUP_CONFIRMATION: 'auto',
      });
    });

    it('keeps both triggers on the one function', () => {
      const trigger = logicalId(template, 'AWS::Lambda::Function', 'UserMigration');
      expect(pool.LambdaConfig).toEqual({
        UserMigration: { 'Fn::GetAtt': [trigger, 'Arn'] },
        PreSignUp: { 'Fn::GetAtt': [trigger, 'Arn'] },
      });
    });
  },
);

describe('AuthStack (in eu-west-1; client secret, existing legacy database secret, HTTPS on a domain name, Multi-AZ store)', () => {
  const existing =
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy/database-url-AbCdEf';
  const certificate = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
  const { template, json, app, nagFindings } = synthesize(
    {
      clientSecret: 'true',
      legacyDatabaseSecretArn: existing,
      certificateArn: certificate,
      domainName: 'Auth.Example.com',
      stateDatabaseInstanceType: 'm7g.large',
      stateDatabaseMultiAz: 'true',
    },
    { account: '123456789012', region: 'eu-west-1' },
  );

  it('writes the load balancer access logs to the log bucket, which lets the region’s ELB account put them there', () => {
    const bucket = logicalId(template, 'AWS::S3::Bucket', 'AccessLogsBucket');
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: bucket } },
        { Key: 'access_logs.s3.prefix', Value: ACCESS_LOG_PREFIX },
      ]),
    });
    const elbAccount = RegionInfo.get('eu-west-1').elbv2Account;
    expect(elbAccount).toMatch(/^\d{12}$/);
    const statements = resourcesOf(template, 'AWS::S3::BucketPolicy').flatMap(statementsOf);
    const fromElb = statements.filter((statement) =>
      JSON.stringify((statement as { Principal?: unknown }).Principal).includes(
        `:iam::${elbAccount}:root`,
      ),
    );
    expect(fromElb).toHaveLength(1);
    expect(fromElb[0]).toMatchObject({ Effect: 'Allow', Action: 's3:PutObject' });
    expect(JSON.stringify(fromElb[0]?.Resource)).toContain(
      `/${ACCESS_LOG_PREFIX}/AWSLogs/123456789012/*`,
    );
  });

  it('leaves no cdk-nag finding, and needs no acknowledgment for access logs, Multi-AZ or an existing secret', () => {
    expect(nagFindings()).toEqual([]);
    const acknowledged = acknowledgedNagRules(app).map(({ path, rule }) => `${rule} at ${path}`);
    expect(acknowledged).toEqual(
      expect.arrayContaining([
        'AwsSolutions-SMG4 at AuthStack/Users/AppClientSecret',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole] at AuthStack/AWS679f53fac002430cb0da5b7982bd2287',
      ]),
    );
    for (const gone of [
      'AwsSolutions-ELB2 at AuthStack/LoadBalancer',
      'AwsSolutions-RDS3 at AuthStack/StateStore/Database',
      'AwsSolutions-SMG4 at AuthStack/Users/LegacyDatabaseSecret',
    ])
      expect(acknowledged).not.toContain(gone);
  });

  it('serves HTTPS with the given certificate and redirects plain HTTP to it', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: certificate }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [
        Match.objectLike({
          Type: 'redirect',
          RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }),
        }),
      ],
    });
  });

  it('stores the generated client secret in Secrets Manager and hands it to the auth-server as an ECS secret', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: true });
    const container = containerOf(template, 'auth-server');
    expect(environmentOf(container)).not.toHaveProperty('USER_POOL_CLIENT_SECRET');
    const secret = logicalId(template, 'AWS::SecretsManager::Secret', 'AppClientSecret');
    expect(container.Secrets).toEqual([
      expect.objectContaining({ Name: 'PGPASSWORD' }),
      expect.objectContaining({ Name: 'ACCOUNT_CSRF_SECRET' }),
      { Name: 'USER_POOL_CLIENT_SECRET', ValueFrom: { Ref: secret } },
    ]);
    expect(containerOf(template, 'resource-server').Secrets).toEqual([
      expect.objectContaining({ Name: 'PGPASSWORD' }),
    ]);
  });

  it('names the domain name, over HTTPS, in the public URLs and the account pages’ resource API URL', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ApiUrl?.Value).toBe('https://auth.example.com/v1/api');
    expect(outputs.AccountUrl?.Value).toBe('https://auth.example.com/v1/account');
    expect(environmentOf(containerOf(template, 'auth-server')).ACCOUNT_RESOURCE_API_URL).toBe(
      'https://auth.example.com/v1/api',
    );
  });

  it('runs the state store on the instance class and with the Multi-AZ standby the context asks for', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.m7g.large',
      MultiAZ: true,
    });
  });

  it('reads the legacy database URL from the given secret instead of creating one', () => {
    template.resourcePropertiesCountIs(
      'AWS::SecretsManager::Secret',
      { Description: Match.stringLikeRegexp('legacy user database') },
      0,
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ LEGACY_DATABASE_SECRET_ARN: existing }) },
    });
    // The import operator reads the same secret.
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ReadTheLegacyDatabaseUrl', Resource: existing }),
        ]),
      },
    });
    // The one postgres URL is the state store's, which names its user only.
    expect(json.match(/postgres(ql)?:\/\/[^"]*/g)).toEqual([
      'postgres://authstack@',
      'postgres://authstack@',
    ]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

/** Every match of `pattern`'s first group in a workspace's source (or one folder of it). */
function scanSource(workspace: string, pattern: RegExp, folder = ''): string[] {
  return sourceFiles(path.join(REPO_ROOT, workspace, 'src', folder)).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(pattern)].map((match) => match[1] as string),
  );
}

describe("load balancer routing against the servers' own routes", () => {
  const { template } = defaults;
  const targets = {
    'auth-server': logicalId(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'AuthServer'),
    'resource-server': logicalId(
      template,
      'AWS::ElasticLoadBalancingV2::TargetGroup',
      'ResourceServer',
    ),
  };
  const rules = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule')
    .map((rule) => ({
      priority: rule.Properties.Priority as number,
      patterns: (
        rule.Properties.Conditions as { PathPatternConfig: { Values: string[] } }[]
      ).flatMap((condition) => condition.PathPatternConfig.Values),
      target: (rule.Properties.Actions as { TargetGroupArn: { Ref: string } }[])[0]?.TargetGroupArn
        .Ref,
    }))
    .sort((a, b) => a.priority - b.priority);
  /** ALB path patterns: `*` is any run of characters, `?` one character. */
  const matches = (pattern: string, requestPath: string): boolean =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(requestPath);
  /** Which server the listener sends `requestPath` to (rules by priority), or `none`. */
  const routeOf = (requestPath: string): string => {
    const rule = rules.find(({ patterns }) =>
      patterns.some((pattern) => matches(pattern, requestPath)),
    );
    const server = Object.entries(targets).find(([, id]) => id === rule?.target)?.[0];
    return server ?? 'none';
  };
  const concrete = (route: string): string => `/v1/api${route.replace(/:[A-Za-z]+/g, 'x')}`;

  it('sends every auth-server route to the auth-server', () => {
    const routes = [...scanSource('auth-server', /\bpath: '(\/[^']*)'/g), '/openapi.json'];
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes)
      expect({ route, to: routeOf(concrete(route)) }).toEqual({ route, to: 'auth-server' });
  });

  it('sends the account pages, each of their routes and their stylesheet, to the auth-server', () => {
    // Where the auth-server mounts them: the rule's prefix.
    expect(readFileSync(path.join(REPO_ROOT, 'auth-server', 'src', 'app.ts'), 'utf8')).toMatch(
      /app\.use\(\s*`\/\$\{settings\.stage\}\/account`,\s*accountPages\(/,
    );
    const pages = scanSource(
      'auth-server',
      /router\.(?:get|post|put|patch|delete|all)\(\s*'(\/[^']*)'/g,
      'pages',
    );
    expect(pages).toEqual(
      expect.arrayContaining(['/', '/signin', '/profile', '/static/account.css']),
    );
    for (const page of [...pages, ''])
      expect({ page, to: routeOf(`/v1/account${page}`) }).toEqual({ page, to: 'auth-server' });
  });

  it('sends every resource-server route, and any other API path, to the resource-server', () => {
    const routes = scanSource(
      'resource-server',
      /router\.(?:get|post|put|patch|delete)\('(\/[^']*)'/g,
    );
    expect(routes).toContain('/users/me');
    for (const route of [...routes, '/no-such-route', ''])
      expect({ route, to: routeOf(concrete(route)) }).toEqual({ route, to: 'resource-server' });
  });

  it('forwards API paths and account pages only: /metrics, the health checks and every other path reach no server', () => {
    for (const { patterns } of rules)
      for (const pattern of patterns) expect(pattern).toMatch(/^\/v1\/(api|account)(\/|$)/);
    for (const requestPath of [
      '/metrics',
      '/healthz',
      '/readyz',
      '/',
      '/v1/apix',
      '/v1/accountx',
      '/v1/account-metrics',
      '/account',
      '/v1/metrics',
      '/metrics/v1/api',
      '/metrics/v1/account',
    ])
      expect({ requestPath, to: routeOf(requestPath) }).toEqual({ requestPath, to: 'none' });
  });
});

describe('AUTH_SERVER_COGNITO_OPERATIONS', () => {
  it('is exactly the IAM-authorized Cognito commands the auth-server source sends', () => {
    const used = new Set(scanSource('auth-server', /\b([A-Z][A-Za-z]+)Command\b/g));
    const needIam = [...used]
      .filter((operation) => !PUBLIC_COGNITO_OPERATIONS.has(operation))
      .sort();
    expect(needIam.length).toBeGreaterThan(0);
    expect([...AUTH_SERVER_COGNITO_OPERATIONS].sort()).toEqual(needIam);
  });
});
