import { existsSync } from 'node:fs';
import path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCustomResource } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { DEFAULT_PASSWORD_POLICY } from '@authstack/shared';
import { vpcFunctionRole } from './lambda-role';
import { acknowledge, LAMBDA_RUNTIME_REASON } from './nag';
import { TRIGGER_BUNDLE_DIR } from './paths';
import type { MfaMode } from './settings';

export interface UserDirectoryProps {
  vpc: ec2.IVpc;
  clientSecret: boolean;
  legacyDatabaseSecretArn?: string;
  migrationAllowedEmailDomains: string[];
  /** TOTP multi-factor sign-in: the pool's MfaConfiguration (`MFA_MODE`). */
  mfaMode: MfaMode;
  logRetention: logs.RetentionDays;
}

/** `MFA_MODE` as the pool's MfaConfiguration (OFF, OPTIONAL, ON), as the local bootstrap maps it. */
const POOL_MFA: Record<MfaMode, cognito.Mfa> = {
  off: cognito.Mfa.OFF,
  optional: cognito.Mfa.OPTIONAL,
  required: cognito.Mfa.REQUIRED,
};

/** The groups every deployment has; `admin` unlocks the administration routes. */
export const USER_POOL_GROUPS = ['admin'] as const;

/**
 * How long the app client's ID and access tokens live: also how long a revocation must be
 * kept (MAX_TOKEN_LIFETIME_SECONDS of the auth-server and the revocation-events Lambda).
 */
export const TOKEN_LIFETIME = Duration.hours(1);

/**
 * The Cognito side: a user pool that signs people in by email (case-insensitive),
 * hides whether a user exists, enforces the same password policy the servers check,
 * offers TOTP as its second factor (per `mfaMode`), and migrates legacy users through
 * the trigger Lambda, which as its PreSignUp trigger also refuses sign-up over a legacy
 * address; one app client for the auth-server; the `admin` group.
 */
export class UserDirectory extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  /** The one trigger function: UserMigration and PreSignUp (it dispatches on `triggerSource`). */
  readonly triggerFunction: lambda.Function;
  readonly legacyDatabaseSecret: secretsmanager.ISecret;
  /** The client secret in Secrets Manager, when the client has one. */
  readonly clientSecret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: UserDirectoryProps) {
    super(scope, id);

    if (props.legacyDatabaseSecretArn) {
      this.legacyDatabaseSecret = secretsmanager.Secret.fromSecretCompleteArn(
        this,
        'LegacyDatabaseSecret',
        props.legacyDatabaseSecretArn,
      );
    } else {
      this.legacyDatabaseSecret = new secretsmanager.Secret(this, 'LegacyDatabaseSecret', {
        description:
          'The legacy user database connection URL the UserMigration and PreSignUp trigger reads. Put the real value here after the first deploy.',
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledge(
        this.legacyDatabaseSecret,
        'AwsSolutions-SMG4',
        'It holds the URL of the legacy database, which this stack does not own: its password is rotated by whoever runs that database (a rotation Lambda here would need that database’s admin credentials).',
      );
    }

    if (!existsSync(path.join(TRIGGER_BUNDLE_DIR, 'index.js')))
      throw new Error(`${TRIGGER_BUNDLE_DIR}/index.js is missing: run \`npm run build\` first`);

    const triggerLogs = new logs.LogGroup(this, 'UserMigrationLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // One function for both triggers (trigger/README.md, "One function for both triggers"). The
    // construct keeps its first id, so existing deployments update the function in place.
    this.triggerFunction = new lambda.Function(this, 'UserMigration', {
      description:
        'Cognito UserMigration and PreSignUp trigger: migrates legacy users on sign-in and forgot-password; refuses sign-up over a legacy address',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(TRIGGER_BUNDLE_DIR),
      memorySize: 512,
      // Cognito gives a trigger 5 s; the function gives up on the legacy store after 3 s.
      timeout: Duration.seconds(5),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      environment: {
        LEGACY_DATABASE_SECRET_ARN: this.legacyDatabaseSecret.secretArn,
        MIGRATION_ALLOWED_EMAIL_DOMAINS: props.migrationAllowedEmailDomains.join(','),
        NODE_OPTIONS: '--enable-source-maps',
      },
      logGroup: triggerLogs,
      role: vpcFunctionRole(this, 'UserMigrationRole', {
        description: 'The UserMigration and PreSignUp trigger',
        logGroup: triggerLogs,
      }),
    });
    acknowledge(this.triggerFunction, 'AwsSolutions-L1', LAMBDA_RUNTIME_REASON);
    this.legacyDatabaseSecret.grantRead(this.triggerFunction);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      signInAliases: { email: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: true,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: DEFAULT_PASSWORD_POLICY.MinimumLength,
        requireUppercase: DEFAULT_PASSWORD_POLICY.RequireUppercase,
        requireLowercase: DEFAULT_PASSWORD_POLICY.RequireLowercase,
        requireDigits: DEFAULT_PASSWORD_POLICY.RequireNumbers,
        requireSymbols: DEFAULT_PASSWORD_POLICY.RequireSymbols,
        tempPasswordValidity: Duration.days(7),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa: POOL_MFA[props.mfaMode],
      // TOTP only: SMS would need an SNS role, a phone number per user, and costs per message.
      mfaSecondFactor: props.mfaMode === 'off' ? undefined : { otp: true, sms: false },
      lambdaTriggers: { userMigration: this.triggerFunction, preSignUp: this.triggerFunction },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.mfaMode !== 'required')
      acknowledge(
        this.userPool,
        'AwsSolutions-COG2',
        'MFA is the deployment’s choice (-c mfaMode, the auth-server’s MFA_MODE): optional TOTP by default, each user may enrol; `required` can be chosen for a new pool (infra/README.md, "mfaMode").',
      );
    acknowledge(
      this.userPool,
      'AwsSolutions-COG8',
      'Cost: the Plus feature plan (threat protection) is billed per monthly active user on top of Essentials. Password guessing is held off by the auth-server’s per-email and per-IP sign-in limits; set featurePlan PLUS when the budget allows.',
    );

    this.client = this.userPool.addClient('AppClient', {
      authFlows: { userPassword: true },
      generateSecret: props.clientSecret,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: TOKEN_LIFETIME,
      idTokenValidity: TOKEN_LIFETIME,
      refreshTokenValidity: Duration.days(30),
      authSessionValidity: Duration.minutes(3),
      disableOAuth: true,
    });

    if (props.clientSecret) {
      this.clientSecret = new secretsmanager.Secret(this, 'AppClientSecret', {
        description: 'The app client secret the auth-server uses for SECRET_HASH',
        secretStringValue: this.client.userPoolClientSecret,
      });
      acknowledge(
        this.clientSecret,
        'AwsSolutions-SMG4',
        'A copy of the app client secret Cognito generated: Secrets Manager cannot rotate it (a new value comes only from Cognito), so a rotation schedule would break the auth-server’s SECRET_HASH.',
      );
      // Reading the generated secret at deploy time takes CDK's AwsCustomResource provider.
      const reader = Stack.of(this).node.tryFindChild(
        `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
      );
      if (reader)
        acknowledge(
          reader,
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          'The role of CDK’s own AwsCustomResource provider, which calls DescribeUserPoolClient once per deploy to copy the client secret into Secrets Manager; CDK builds that role, with the basic execution policy for its logs.',
        );
    }

    for (const group of USER_POOL_GROUPS) {
      this.userPool.addGroup(`Group-${group}`, {
        groupName: group,
        description: `Members may use the ${group} routes`,
      });
    }
  }
}
