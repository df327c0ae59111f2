import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from './nag';

/**
 * The EC2 calls Lambda makes with a function's role to attach it to the VPC: the actions of
 * the AWS managed policy AWSLambdaVPCAccessExecutionRole, which this role replaces.
 */
export const VPC_NETWORK_INTERFACE_ACTIONS: readonly string[] = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/**
 * The execution role of a Lambda function in the VPC, without AWS managed policies: it writes
 * to its own log group only (AWSLambdaBasicExecutionRole would let it write to any) and manages
 * the function's network interfaces. The function's other grants are added to it as usual.
 */
export function vpcFunctionRole(
  scope: Construct,
  id: string,
  props: { description: string; logGroup: logs.ILogGroup },
): iam.Role {
  const role = new iam.Role(scope, id, {
    description: props.description,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  props.logGroup.grantWrite(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'VpcNetworkInterfaces',
      actions: [...VPC_NETWORK_INTERFACE_ACTIONS],
      resources: ['*'],
    }),
  );
  acknowledge(
    role,
    'AwsSolutions-IAM5[Resource::*]',
    "The EC2 network-interface calls Lambda makes to attach the function to the VPC: the Describe calls support no resource-level permission and the interfaces' ids are not known in advance (the same statement as AWSLambdaVPCAccessExecutionRole).",
  );
  return role;
}
