import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { USER_IMPORT_COGNITO_OPERATIONS } from './cognito-permissions';
import { acknowledgeWildcardResource } from './nag';

export const COGNITO_SERVICE_PRINCIPAL = 'cognito-idp.amazonaws.com';

/**
 * What a user import job does in CloudWatch Logs, as the Cognito developer guide's policy for
 * the job's role grants it ("Creating the CloudWatch Logs IAM role"), on `/aws/cognito/*`.
 */
export const IMPORT_JOB_LOG_ACTIONS: readonly string[] = [
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
];

/** What the operator's command reads of a job's log: the streams, then each line's outcome. */
export const IMPORT_LOG_READ_ACTIONS: readonly string[] = [
  'logs:GetLogEvents',
  'logs:DescribeLogStreams',
];

export interface UserImportProps {
  userPool: cognito.IUserPool;
  /** The secret the import command reads the legacy database URL from (the trigger's). */
  legacyDatabaseSecret: secretsmanager.ISecret;
}

/**
 * What bulk import (issue 14) needs in AWS. `role`: the role Cognito assumes to write a
 * job's per-user results to CloudWatch Logs (`CreateUserImportJob`'s `CloudWatchLogsRoleArn`),
 * with the trust and permissions the Cognito developer guide documents; the guide puts no
 * condition on the trust (Cognito documents no `aws:SourceArn`/`aws:SourceAccount` for this
 * role), so none is added: an undocumented condition could make every job fail to log.
 * `operatorPolicy`: a customer-managed policy granting exactly what the operator's import
 * command calls, on this pool, this role, this pool's import logs and the legacy database
 * secret; attach it to the operator's role or user.
 */
export class UserImport extends Construct {
  readonly role: iam.Role;
  readonly operatorPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: UserImportProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroupArn = (name: string): string =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });

    this.role = new iam.Role(this, 'Role', {
      description:
        'Assumed by Cognito to write user import job results to CloudWatch Logs (CreateUserImportJob CloudWatchLogsRoleArn)',
      assumedBy: new iam.ServicePrincipal(COGNITO_SERVICE_PRINCIPAL),
    });
    const cognitoLogGroups = logGroupArn('/aws/cognito/*');
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteImportJobResults',
        actions: [...IMPORT_JOB_LOG_ACTIONS],
        resources: [cognitoLogGroups],
      }),
    );
    acknowledgeWildcardResource(
      this.role,
      cognitoLogGroups,
      'The policy AWS documents for the import-job role (Cognito developer guide, "Creating the CloudWatch Logs IAM role"): Cognito itself creates /aws/cognito/userpools/<pool id>/<pool name> and a stream per job under it.',
    );

    const importLogs = logGroupArn(`/aws/cognito/userpools/${props.userPool.userPoolId}/*`);
    this.operatorPolicy = new iam.ManagedPolicy(this, 'UserImportOperator', {
      description:
        'UserImportOperator: what the user import command calls, on this user pool, its import role, its import logs and the legacy database secret',
      statements: [
        new iam.PolicyStatement({
          sid: 'ImportIntoThisPool',
          actions: USER_IMPORT_COGNITO_OPERATIONS.map((operation) => `cognito-idp:${operation}`),
          resources: [props.userPool.userPoolArn],
        }),
        new iam.PolicyStatement({
          sid: 'HandTheImportRoleToCognito',
          actions: ['iam:PassRole'],
          resources: [this.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': COGNITO_SERVICE_PRINCIPAL } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadThisPoolsImportResults',
          actions: [...IMPORT_LOG_READ_ACTIONS],
          resources: [importLogs],
        }),
        new iam.PolicyStatement({
          sid: 'ReadTheLegacyDatabaseUrl',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [props.legacyDatabaseSecret.secretArn],
        }),
      ],
    });
    acknowledgeWildcardResource(
      this.operatorPolicy,
      importLogs,
      "Only this pool's import logs: Cognito names the group after the pool's name and a stream after each job, so neither exists, nor is known, until the first job runs.",
    );
  }
}
