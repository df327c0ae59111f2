import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Suppresses one cdk-nag AwsSolutions finding on `scope` and everything in it, with the reason a
 * reviewer reads (it is kept in the construct's metadata; the tests list every suppression).
 */
export function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: rule, reason });
}

/**
 * Suppresses the IAM5 ("wildcard permissions") finding for one resource of a policy in `scope`.
 * cdk-nag names the finding after the resource as the template writes it, references flattened
 * (`<AWS::Region>`, `<LogicalId>`, `<LogicalId.Arn>`), so the ARN is resolved here the same way.
 */
export function acknowledgeWildcardResource(
  scope: IConstruct,
  resource: string,
  reason: string,
): void {
  const flat = flatten(Stack.of(scope).resolve(resource));
  acknowledge(scope, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') {
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return join[1].map(flatten).join(join[0]);
    const ref = (value as { Ref?: unknown }).Ref;
    if (ref !== undefined) return `<${flatten(ref)}>`;
    const getAtt = (value as { 'Fn::GetAtt'?: [unknown, unknown] })['Fn::GetAtt'];
    if (getAtt) return `<${flatten(getAtt[0])}.${flatten(getAtt[1])}>`;
  }
  return JSON.stringify(value);
}

/** Why both Lambda functions stay on Node.js 22 although cdk-nag knows a later runtime. */
export const LAMBDA_RUNTIME_REASON =
  'One Node.js major across the deployables: the server images run node:22 and the trigger bundle targets node22 (esbuild); Node.js 22 is a supported Lambda runtime. Move the images, the bundle target and both functions to the next LTS together.';
