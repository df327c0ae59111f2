import { RemovalPolicy, type Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

/** The key prefixes the load balancer's access logs and the VPC's flow logs are written under. */
export const ACCESS_LOG_PREFIX = 'alb';
export const FLOW_LOG_PREFIX = 'vpc-flow-logs/';

/**
 * The S3 bucket for the load balancer's access logs and the VPC's flow logs: private, TLS
 * only, encrypted with S3-managed keys (the only encryption ALB log delivery supports),
 * objects expired after `expiration`. Kept when the stack is deleted, like the logs in it.
 */
export class AccessLogs extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: { expiration: Duration }) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: props.expiration }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'This bucket is where the access logs go; logging the access to it would need a second log bucket, which would need a third.',
    );
  }
}
