import { existsSync } from 'node:fs';
import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { vpcFunctionRole } from './lambda-role';
import { acknowledge, LAMBDA_RUNTIME_REASON } from './nag';
import { REVOCATION_EVENTS_BUNDLE_DIR } from './paths';
import { LAMBDA_RUNTIME_CA_BUNDLE, type StateStore } from './state-store';

/**
 * The user-pool calls that end a user's sessions. Made through the auth-server they are
 * recorded by the auth-server itself; these events catch the same calls made anywhere else
 * (the AWS console, the CLI). A test compares the list with the calls the Lambda handles.
 */
export const REVOKING_POOL_CALLS = [
  'AdminUserGlobalSignOut',
  'AdminDisableUser',
  'AdminDeleteUser',
  'AdminRemoveUserFromGroup',
] as const;

export interface RevocationEventsProps {
  vpc: ec2.IVpc;
  userPool: cognito.IUserPool;
  stateStore: StateStore;
  /** The pool's longest ID/access token lifetime: how long a revocation is kept. */
  maxTokenLifetime: Duration;
  logRetention: logs.RetentionDays;
}

/**
 * Sign-outs made outside the auth-server: an EventBridge rule on the pool's CloudTrail
 * events (successful calls of `REVOKING_POOL_CALLS` on this pool only) invokes a small
 * Lambda (`trigger/src/revocation-events`) that records the revocation in the state store,
 * as of the time of the call. It runs in the private subnets with its own security group
 * (out to the store on 5432 and to AWS APIs on 443), reads the store's generated secret,
 * and may call AdminGetUser on this pool (to resolve an email alias to the sub) and nothing
 * else. Events it cannot deliver or handle after retries land in a dead-letter queue.
 *
 * EventBridge only sees "AWS API Call via CloudTrail" events while a CloudTrail trail logs
 * the region's management events (an organization or account trail will do).
 */
export class RevocationEvents extends Construct {
  readonly function: lambda.Function;
  readonly securityGroup: ec2.SecurityGroup;
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: RevocationEventsProps) {
    super(scope, id);
    const { stateStore, userPool } = props;

    if (!existsSync(path.join(REVOCATION_EVENTS_BUNDLE_DIR, 'index.js')))
      throw new Error(
        `${REVOCATION_EVENTS_BUNDLE_DIR}/index.js is missing: run \`npm run build\` first`,
      );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'revocation-events Lambda: to the state store, and to AWS APIs over HTTPS',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'Secrets Manager and Cognito, through the NAT gateway',
    );

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new lambda.Function(this, 'Function', {
      description:
        'Records revocations in the state store for sign-outs made outside the auth-server (console, CLI)',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(REVOCATION_EVENTS_BUNDLE_DIR),
      memorySize: 256,
      timeout: Duration.seconds(30),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      environment: {
        USER_POOL_ID: userPool.userPoolId,
        STATE_DATABASE_SECRET_ARN: stateStore.secret.secretArn,
        STATE_DATABASE_CA_FILE: LAMBDA_RUNTIME_CA_BUNDLE,
        MAX_TOKEN_LIFETIME_SECONDS: String(props.maxTokenLifetime.toSeconds()),
        NODE_OPTIONS: '--enable-source-maps',
      },
      // A failed invocation is retried twice by Lambda, then kept here.
      retryAttempts: 2,
      deadLetterQueue: this.deadLetterQueue,
      logGroup,
      role: vpcFunctionRole(this, 'FunctionRole', {
        description: 'The revocation-events Lambda',
        logGroup,
      }),
    });
    acknowledge(this.function, 'AwsSolutions-L1', LAMBDA_RUNTIME_REASON);
    stateStore.secret.grantRead(this.function);
    stateStore.allowFrom(this.securityGroup, 'revocation-events Lambda');
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'FindTheSubOfAnAlias',
        actions: ['cognito-idp:AdminGetUser'],
        resources: [userPool.userPoolArn],
      }),
    );

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Revoking calls on the authstack user pool, from CloudTrail (console, CLI)',
      eventPattern: {
        source: ['aws.cognito-idp'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cognito-idp.amazonaws.com'],
          eventName: [...REVOKING_POOL_CALLS],
          requestParameters: { userPoolId: [userPool.userPoolId] },
          // A call that failed (AccessDenied, UserNotFoundException, …) changed nothing.
          errorCode: events.Match.doesNotExist(),
        },
      },
      targets: [
        new targets.LambdaFunction(this.function, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}
