import { CfnOutput, Duration, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ACCESS_LOG_PREFIX, AccessLogs, FLOW_LOG_PREFIX } from './access-logs';
import { ApiService } from './api-service';
import { AUTH_SERVER_COGNITO_OPERATIONS } from './cognito-permissions';
import { Monitoring } from './monitoring';
import { acknowledge } from './nag';
import { RevocationEvents } from './revocation-events';
import type { DeploymentSettings } from './settings';
import { RDS_CA_BUNDLE_IN_IMAGE, StateStore } from './state-store';
import { FORWARDED_METRICS } from './telemetry';
import { TOKEN_LIFETIME, UserDirectory } from './user-directory';
import { UserImport } from './user-import';

export const AUTH_SERVER_PORT = 3000;
export const RESOURCE_SERVER_PORT = 4000;

/**
 * What the load balancer answers for a path outside the APIs and the account pages
 * (`/metrics`, `/healthz`, `/`): no server sees those requests. A fixed response cannot carry
 * a per-request id.
 */
function notAnApiPathBody(api: string, account: string): string {
  return JSON.stringify({
    error: {
      code: 'not_found',
      message: `No such path: the APIs are under ${api}/, the account pages under ${account}`,
      requestId: '',
    },
  });
}

export interface AuthStackProps extends StackProps {
  settings: DeploymentSettings;
}

function retentionDays(days: number): logs.RetentionDays {
  const known = Object.values(logs.RetentionDays).filter(
    (value): value is logs.RetentionDays => typeof value === 'number',
  );
  const match = known.find((value) => value === days);
  if (match === undefined)
    throw new Error(
      `context logRetentionDays: ${days} is not a CloudWatch retention (e.g. 7, 14, 30, 90)`,
    );
  return match;
}

/**
 * The whole deployment: the Cognito user pool with its trigger Lambda (UserMigration and
 * PreSignUp), the auth-server and resource-server on ECS/Fargate behind one load balancer
 * that routes the API paths and the account pages by path and answers every other path
 * itself, the state store both servers share (RDS for PostgreSQL), the Lambda that records
 * sign-outs made outside the auth-server, the user-import role and operator policy, and the
 * alarms with their dashboard. The pool and client ids, the MFA mode and the store's address reach the servers
 * through their task definitions; nobody copies them by hand.
 */
export class AuthStack extends Stack {
  constructor(scope: Construct, id: string, props: AuthStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const logRetention = retentionDays(settings.logRetentionDays);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
    });
    const accessLogs = new AccessLogs(this, 'AccessLogs', {
      expiration: Duration.days(settings.logRetentionDays),
    });
    vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toS3(accessLogs.bucket, FLOW_LOG_PREFIX),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    const directory = new UserDirectory(this, 'Users', {
      vpc,
      clientSecret: settings.clientSecret,
      legacyDatabaseSecretArn: settings.legacyDatabaseSecretArn,
      migrationAllowedEmailDomains: settings.migrationAllowedEmailDomains,
      mfaMode: settings.mfaMode,
      logRetention,
    });

    const stateStore = new StateStore(this, 'StateStore', {
      vpc,
      instanceType: settings.stateDatabaseInstanceType,
      multiAz: settings.stateDatabaseMultiAz,
    });
    const store = stateStore.serverEnvironment(RDS_CA_BUNDLE_IN_IMAGE);

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      dropInvalidHeaderFields: true,
    });
    if (Token.isUnresolved(this.region))
      acknowledge(
        loadBalancer,
        'AwsSolutions-ELB2',
        'Access logs are left out of an environment-agnostic synth only (tests, `cdk synth` without an AWS profile): their bucket policy must name the region’s ELB log-delivery account. Every deploy knows its region (bin/app.ts passes CDK_DEFAULT_REGION) and gets them.',
      );
    else loadBalancer.logAccessLogs(accessLogs.bucket, ACCESS_LOG_PREFIX);
    acknowledge(
      loadBalancer,
      'AwsSolutions-EC23',
      'A public API: the load balancer takes HTTP(S) from anywhere on its listener ports only; the servers behind it admit the load balancer alone.',
    );
    const listener = settings.certificateArn
      ? loadBalancer.addListener('Https', {
          port: 443,
          certificates: [elbv2.ListenerCertificate.fromArn(settings.certificateArn)],
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        })
      : loadBalancer.addListener('Http', { port: 80 });
    if (settings.certificateArn) loadBalancer.addRedirect();
    const api = `/${settings.stage}/api`;
    const account = `/${settings.stage}/account`;
    // Only the API paths and the account pages reach a server (the rules below); anything
    // else, `/metrics` among them, is answered here.
    listener.addAction('NotAnApiPath', {
      action: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/json',
        messageBody: notAnApiPathBody(api, account),
      }),
    });
    // Where browsers and the auth-server reach the stack: the certificate's host name, or the
    // load balancer's own over plain http.
    const publicBase = `${settings.certificateArn ? 'https' : 'http'}://${
      settings.domainName ?? loadBalancer.loadBalancerDnsName
    }`;
    const apiUrl = `${publicBase}${api}`;
    // Signs the account pages' CSRF tokens: one value for every task, so a form served by one
    // task is accepted by another.
    const accountCsrfSecret = new secretsmanager.Secret(this, 'AccountCsrfSecret', {
      description: 'Signs the auth-server account pages’ CSRF tokens (ACCOUNT_CSRF_SECRET)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledge(
      accountCsrfSecret,
      'AwsSolutions-SMG4',
      'A signing key for the account pages’ form tokens, not a credential: tasks read it once, at start, so a scheduled rotation would leave old and new tasks refusing each other’s forms until all are replaced. To change it, put a new value and force a new deployment of the auth-server.',
    );
    const pool = {
      AWS_REGION: this.region,
      STAGE: settings.stage,
      USER_POOL_ID: directory.userPool.userPoolId,
      USER_POOL_CLIENT_ID: directory.client.userPoolClientId,
    };

    const authServer = new ApiService(this, 'AuthServer', {
      cluster,
      listener,
      workspace: 'auth-server',
      port: AUTH_SERVER_PORT,
      environment: {
        ...pool,
        ...store.environment,
        MAX_TOKEN_LIFETIME_SECONDS: String(TOKEN_LIFETIME.toSeconds()),
        // The ALB is the one proxy in front: it appends the client's address to X-Forwarded-For.
        TRUST_PROXY: '1',
        SIGNUP_CONFIRMATION: settings.signupConfirmation,
        // The pool's MfaConfiguration comes from the same setting (UserDirectory).
        MFA_MODE: settings.mfaMode,
        // The profile page's "call the resource API" button, through the load balancer.
        ACCOUNT_RESOURCE_API_URL: apiUrl,
      },
      secrets: {
        ...store.secrets,
        ACCOUNT_CSRF_SECRET: ecs.Secret.fromSecretsManager(accountCsrfSecret),
        ...(directory.clientSecret
          ? { USER_POOL_CLIENT_SECRET: ecs.Secret.fromSecretsManager(directory.clientSecret) }
          : {}),
      },
      routing: [
        {
          name: 'Api',
          pathPatterns: [
            `${api}/user`,
            `${api}/user/*`,
            `${api}/admin/users`,
            `${api}/admin/users/*`,
            `${api}/openapi.json`,
          ],
          priority: 10,
        },
        // The server-rendered account pages and their stylesheet.
        { name: 'AccountPages', pathPatterns: [account, `${account}/*`], priority: 11 },
      ],
      forwardedMetrics: FORWARDED_METRICS['auth-server'],
      desiredCount: settings.desiredCount,
      maxCount: settings.maxCount,
      logRetention,
    });
    authServer.taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({
        sid: 'ThisUserPoolOnly',
        actions: AUTH_SERVER_COGNITO_OPERATIONS.map((operation) => `cognito-idp:${operation}`),
        resources: [directory.userPool.userPoolArn],
      }),
    );

    const resourceServer = new ApiService(this, 'ResourceServer', {
      cluster,
      listener,
      workspace: 'resource-server',
      port: RESOURCE_SERVER_PORT,
      environment: { ...pool, ...store.environment },
      secrets: store.secrets,
      // Everything else under the API (`/users/me`, its admin and scope examples, and
      // unknown API paths, which get its JSON 404), after the auth-server's rule.
      routing: [{ name: 'Api', pathPatterns: [api, `${api}/*`], priority: 20 }],
      forwardedMetrics: FORWARDED_METRICS['resource-server'],
      desiredCount: settings.desiredCount,
      maxCount: settings.maxCount,
      logRetention,
    });

    stateStore.allowFrom(authServer.service, 'auth-server');
    stateStore.allowFrom(resourceServer.service, 'resource-server');

    new RevocationEvents(this, 'RevocationEvents', {
      vpc,
      userPool: directory.userPool,
      stateStore,
      maxTokenLifetime: TOKEN_LIFETIME,
      logRetention,
    });

    const userImport = new UserImport(this, 'UserImport', {
      userPool: directory.userPool,
      legacyDatabaseSecret: directory.legacyDatabaseSecret,
    });

    const monitoring = new Monitoring(this, 'Monitoring', {
      loadBalancer,
      services: [
        { name: 'auth-server', targetGroup: authServer.targetGroup },
        { name: 'resource-server', targetGroup: resourceServer.targetGroup },
      ],
      trigger: directory.triggerFunction,
    });

    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'Base URL of both APIs' });
    new CfnOutput(this, 'AccountUrl', {
      value: `${publicBase}${account}`,
      description: 'The account pages (sign-up, sign-in, profile)',
    });
    new CfnOutput(this, 'UserPoolId', { value: directory.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: directory.client.userPoolClientId });
    new CfnOutput(this, 'LegacyDatabaseSecretArn', {
      value: directory.legacyDatabaseSecret.secretArn,
      description: 'Put the legacy database URL in this secret',
    });
    new CfnOutput(this, 'StateDatabaseSecretArn', {
      value: stateStore.secret.secretArn,
      description: 'The state store credentials (generated; RDS JSON with host, port, dbname)',
    });
    new CfnOutput(this, 'UserImportRoleArn', {
      value: userImport.role.roleArn,
      description:
        'The CloudWatch Logs role of user import jobs (CreateUserImportJob CloudWatchLogsRoleArn)',
    });
    new CfnOutput(this, 'UserImportOperatorPolicyArn', {
      value: userImport.operatorPolicy.managedPolicyArn,
      description: 'Attach to whoever runs the user import: exactly what the import command calls',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: monitoring.topic.topicArn,
      description: 'Subscribe an email address or a pager: every alarm notifies here',
    });
    new CfnOutput(this, 'DashboardName', {
      value: monitoring.dashboard.dashboardName,
      description: 'The CloudWatch dashboard with every alarm',
    });
  }
}
