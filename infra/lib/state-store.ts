import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

export const STATE_DATABASE_NAME = 'authstack_state';
export const STATE_DATABASE_USER = 'authstack';
export const POSTGRES_PORT = 5432;

/**
 * Where the auth-server and resource-server images keep the Amazon RDS CA bundle
 * (their Dockerfiles `ADD` it from the RDS trust store).
 */
export const RDS_CA_BUNDLE_IN_IMAGE = '/etc/ssl/certs/rds-global-bundle.pem';

/**
 * The Amazon CA certificates, RDS's among them, that the Lambda Node.js runtime ships
 * (since Node 20 it no longer loads them by default).
 */
export const LAMBDA_RUNTIME_CA_BUNDLE = '/var/runtime/ca-cert.pem';

export interface StateStoreProps {
  vpc: ec2.IVpc;
  /** RDS instance class without `db.`, e.g. `t4g.small`. */
  instanceType: string;
  multiAz: boolean;
}

/**
 * The shared state store: revocations (pushed to every resource-server by LISTEN/NOTIFY)
 * and the auth-server's rate-limit counters, in RDS for PostgreSQL 16.
 *
 * Why RDS and not Aurora Serverless v2: every resource-server task holds a LISTEN
 * connection open for good, so Aurora's auto-pause (scale to 0 ACU, which needs the
 * cluster to have no connections) never happens, and a Serverless v2 instance bills at
 * least its minimum capacity around the clock: 0.5 ACU ≈ 0.06 $/h ≈ 44 $/month for the
 * writer alone (us-east-1, Aurora Standard), twice that with a reader for fast failover.
 * A `db.t4g.small` instance is ≈ 0.032 $/h ≈ 24 $/month (Multi-AZ ≈ 47 $/month), plus
 * gp3 storage at ≈ 0.115 $/GB-month (20 GB: ≈ 2.3 $, doubled with Multi-AZ). The
 * workload is tiny (a row per revocation, a counter per rate-limited key), so the
 * instance's fixed size costs nothing in practice. What Aurora would buy is failover
 * speed: typically under 30 s with a reader, against 1–2 minutes for a Multi-AZ RDS
 * instance (`stateDatabaseMultiAz`; a single-AZ instance is replaced in minutes). During
 * that window resource-servers serve from their in-memory copy and fail closed only after
 * REVOCATION_MAX_STALENESS (60 s), and sign-in keeps working on per-process limits.
 *
 * Credentials are generated into Secrets Manager (RDS's JSON: username, password, host,
 * port, dbname). The database accepts TLS connections only (`rds.force_ssl`), on 5432,
 * from the security groups given to `allowFrom` and nothing else; storage is encrypted,
 * backups are kept 7 days, and deletion protection is on (like the user pool's), with a
 * final snapshot if the instance is ever deleted.
 */
export class StateStore extends Construct {
  readonly instance: rds.DatabaseInstance;
  /** The generated credentials, attached to the instance (RDS adds host, port and engine). */
  readonly secret: secretsmanager.ISecret;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: StateStoreProps) {
    super(scope, id);

    const generated = new rds.DatabaseSecret(this, 'Secret', {
      username: STATE_DATABASE_USER,
      dbname: STATE_DATABASE_NAME,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description:
        'State store: PostgreSQL from the auth-server, resource-server and revocation Lambda only',
      allowAllOutbound: false,
    });

    const engine = rds.DatabaseInstanceEngine.postgres({
      version: rds.PostgresEngineVersion.VER_16,
    });
    this.instance = new rds.DatabaseInstance(this, 'Database', {
      engine,
      instanceType: new ec2.InstanceType(props.instanceType),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      port: POSTGRES_PORT,
      publiclyAccessible: false,
      credentials: rds.Credentials.fromSecret(generated),
      databaseName: STATE_DATABASE_NAME,
      parameterGroup: new rds.ParameterGroup(this, 'Parameters', {
        engine,
        description: 'authstack state store: TLS only',
        parameters: { 'rds.force_ssl': '1' },
      }),
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      multiAz: props.multiAz,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      storageEncrypted: true,
      backupRetention: Duration.days(7),
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    if (!this.instance.secret) throw new Error('the state store instance has no attached secret');
    this.secret = this.instance.secret;

    acknowledge(
      generated,
      'AwsSolutions-SMG4',
      'The servers receive PGPASSWORD once, at task start (an ECS secret): a rotation would lock every running task out of the store until it is replaced. Rotation needs the servers to re-read the secret first (a follow-up).',
    );
    acknowledge(
      this.instance,
      'AwsSolutions-RDS11',
      'A non-default port hides nothing here: the instance is private, in the private subnets, and its security group admits 5432 from the two services and the revocation Lambda only.',
    );
    if (!props.multiAz)
      acknowledge(
        this.instance,
        'AwsSolutions-RDS3',
        'Single-AZ is the cost default (-c stateDatabaseMultiAz=true adds the standby): while the instance is replaced, resource-servers serve revocations from memory and fail closed after 60 s, and sign-in limits fall back to per-process counters.',
      );
  }

  /** Lets `peer` (a service, a Lambda's security group) connect on 5432: the only way in. */
  allowFrom(peer: ec2.IConnectable, description: string): void {
    this.instance.connections.allowFrom(peer, ec2.Port.tcp(POSTGRES_PORT), description);
  }

  /**
   * What a server needs to reach the store: `STATE_DATABASE_URL` without the password (TLS,
   * the server verified against `caFile`) as plain environment, and `PGPASSWORD` from the
   * secret as an ECS secret (node-postgres reads it when the URL has no password).
   */
  serverEnvironment(caFile: string): {
    environment: Record<string, string>;
    secrets: Record<string, ecs.Secret>;
  } {
    const { dbInstanceEndpointAddress: host, dbInstanceEndpointPort: port } = this.instance;
    return {
      environment: {
        STATE_DATABASE_URL: `postgres://${STATE_DATABASE_USER}@${host}:${port}/${STATE_DATABASE_NAME}?sslmode=verify-full&sslrootcert=${caFile}`,
      },
      secrets: { PGPASSWORD: ecs.Secret.fromSecretsManager(this.secret, 'password') },
    };
  }
}
