import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { USER_IMPORT_COGNITO_OPERATIONS } from '../lib/cognito-permissions';
import { REPO_ROOT } from '../lib/paths';
import { IMPORT_JOB_LOG_ACTIONS, IMPORT_LOG_READ_ACTIONS } from '../lib/user-import';
import { logicalId, synthesize } from './support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = Record<string, unknown>;

/** The stack as `cdk.json`'s context makes it; synthesized once for the file. */
const { template } = synthesize();
const resources = template.toJSON().Resources as Record<string, Resource>;
const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
const pool = logicalId(template, 'AWS::Cognito::UserPool', 'UserPool');
const role = logicalId(template, 'AWS::IAM::Role', 'UserImportRole');
const operator = logicalId(template, 'AWS::IAM::ManagedPolicy', 'UserImportOperator');
const legacySecret = logicalId(template, 'AWS::SecretsManager::Secret', 'LegacyDatabaseSecret');

/** `arn:<partition>:logs:<region>:<account>:log-group:` followed by `rest`, as the template joins it. */
const logGroupArn = (...rest: unknown[]) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':logs:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ...rest,
    ],
  ],
});

describe('user import (issue 14): the role Cognito assumes to log import jobs', () => {
  it('may be assumed by Cognito user pools only, with the trust the developer guide documents (it documents no condition)', () => {
    expect(resources[role]?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'cognito-idp.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    });
    expect(resources[role]?.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('may write import results under /aws/cognito/ and nowhere else, as the documented policy grants', () => {
    const policies = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(resource.Properties.Roles) === JSON.stringify([{ Ref: role }]),
    );
    expect(policies.map((policy) => policy.Properties.PolicyDocument)).toEqual([
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'WriteImportJobResults',
            Effect: 'Allow',
            Action: [
              'logs:CreateLogGroup',
              'logs:CreateLogStream',
              'logs:DescribeLogStreams',
              'logs:PutLogEvents',
            ],
            Resource: logGroupArn(':log-group:/aws/cognito/*'),
          },
        ],
      },
    ]);
    expect([...IMPORT_JOB_LOG_ACTIONS].sort()).toEqual([
      'logs:CreateLogGroup',
      'logs:CreateLogStream',
      'logs:DescribeLogStreams',
      'logs:PutLogEvents',
    ]);
  });

  it('has its ARN printed as the UserImportRoleArn output, for the import command', () => {
    expect(outputs.UserImportRoleArn?.Value).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
  });
});

describe('user import (issue 14): the UserImportOperator policy', () => {
  const document = resources[operator]?.Properties.PolicyDocument as { Statement: Statement[] };

  it('grants exactly the import calls on this pool, the import role to Cognito only, this pool’s import logs and the legacy database secret', () => {
    expect(document.Statement).toEqual([
      {
        Sid: 'ImportIntoThisPool',
        Effect: 'Allow',
        Action: [
          'cognito-idp:DescribeUserPool',
          'cognito-idp:GetCSVHeader',
          'cognito-idp:ListUsers',
          'cognito-idp:CreateUserImportJob',
          'cognito-idp:StartUserImportJob',
          'cognito-idp:DescribeUserImportJob',
          'cognito-idp:ListUserImportJobs',
          'cognito-idp:StopUserImportJob',
        ],
        Resource: { 'Fn::GetAtt': [pool, 'Arn'] },
      },
      {
        Sid: 'HandTheImportRoleToCognito',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [role, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'cognito-idp.amazonaws.com' } },
      },
      {
        Sid: 'ReadThisPoolsImportResults',
        Effect: 'Allow',
        Action: ['logs:GetLogEvents', 'logs:DescribeLogStreams'],
        Resource: logGroupArn(':log-group:/aws/cognito/userpools/', { Ref: pool }, '/*'),
      },
      {
        Sid: 'ReadTheLegacyDatabaseUrl',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: legacySecret },
      },
    ]);
  });

  it('is attached to nobody by the stack, and its ARN is printed as the UserImportOperatorPolicyArn output', () => {
    const properties = resources[operator]?.Properties ?? {};
    for (const key of ['Roles', 'Users', 'Groups']) expect(properties[key]).toBeUndefined();
    expect(outputs.UserImportOperatorPolicyArn?.Value).toEqual({ Ref: operator });
  });

  it("covers every AWS permission the import command's pool client names (ListUserPools serves the local pool only)", () => {
    const dir = path.join(REPO_ROOT, 'trigger', 'src', 'import');
    const named = readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) => [
        ...readFileSync(path.join(dir, file), 'utf8').matchAll(
          /#call\('((?:cognito-idp|logs):[A-Za-z]+)'/g,
        ),
      ])
      .map((match) => match[1] as string)
      .filter((permission) => permission !== 'cognito-idp:ListUserPools');
    expect(named).toContain('cognito-idp:CreateUserImportJob');
    expect(named).toContain('logs:GetLogEvents');
    const granted = [
      ...USER_IMPORT_COGNITO_OPERATIONS.map((operation) => `cognito-idp:${operation}`),
      ...IMPORT_LOG_READ_ACTIONS,
    ];
    for (const permission of named)
      expect({ permission, granted: granted.includes(permission) }).toEqual({
        permission,
        granted: true,
      });
  });
});
