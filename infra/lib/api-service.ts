import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './nag';
import { REPO_ROOT } from './paths';
import {
  ADOT_COLLECTOR_IMAGE,
  collectorConfig,
  OTLP_HTTP_ENDPOINT,
  type ForwardedMetric,
} from './telemetry';

/** One listener rule: path patterns (at most five) at a rule priority (lower wins). */
export interface ListenerRouting {
  /** Part of the rule's construct id (`<service><name>Rule`); unused for the first rule. */
  name: string;
  pathPatterns: string[];
  priority: number;
}

export interface ApiServiceProps {
  cluster: ecs.ICluster;
  listener: elbv2.ApplicationListener;
  /** The workspace folder, which holds the Dockerfile (`<workspace>/Dockerfile`). */
  workspace: 'auth-server' | 'resource-server';
  port: number;
  environment: Record<string, string>;
  secrets?: Record<string, ecs.Secret>;
  /**
   * Which requests the ALB sends here: one listener rule per entry. Nothing reaches a server by
   * the listener's default action. The first rule is the one the target group is created with.
   */
  routing: [ListenerRouting, ...ListenerRouting[]];
  /** The server's Prometheus metrics its collector sends to CloudWatch. */
  forwardedMetrics: ForwardedMetric[];
  desiredCount: number;
  maxCount: number;
  logRetention: logs.RetentionDays;
}

/**
 * The command Docker and ECS run to decide whether a container is alive: the
 * slim Node image has no curl, so Node's own fetch asks `/healthz`.
 */
export function healthCheckCommand(port: number): string[] {
  return [
    'CMD',
    'node',
    '-e',
    `fetch('http://127.0.0.1:${port}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
  ];
}

/**
 * One of the two HTTP servers on Fargate: image built from its Dockerfile (at deploy time, not
 * at synth), private subnets, the ALB sending it the paths it owns and taking targets out on
 * `/readyz`, CPU autoscaling, and a log group. Beside it in each task, the ADOT collector
 * (`telemetry.ts`) scrapes its `/metrics` and forwards its traces; the task role may write to
 * the service's metrics log group and send trace segments to X-Ray, nothing else of its own.
 */
export class ApiService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Where the collector's EMF events go, and CloudWatch makes the service's metrics from. */
  readonly metricsLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id);

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.metricsLogGroup = new logs.LogGroup(this, 'MetricsLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const app = this.taskDefinition.addContainer('app', {
      containerName: props.workspace,
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, {
        file: `${props.workspace}/Dockerfile`,
        platform: Platform.LINUX_AMD64,
      }),
      environment: {
        HOST: '0.0.0.0',
        PORT: String(props.port),
        OTEL_SERVICE_NAME: props.workspace,
        OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_HTTP_ENDPOINT,
        ...props.environment,
      },
      secrets: props.secrets,
      portMappings: [{ containerPort: props.port, protocol: ecs.Protocol.TCP }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: props.workspace, logGroup }),
      healthCheck: {
        command: healthCheckCommand(props.port),
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(10),
      },
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      // The servers drain in-flight requests within 10 s of SIGTERM.
      stopTimeout: Duration.seconds(15),
      readonlyRootFilesystem: true,
    });

    // Not essential: a collector that fails costs telemetry, never the API.
    const collector = this.taskDefinition.addContainer('otel-collector', {
      containerName: 'otel-collector',
      image: ecs.ContainerImage.fromRegistry(ADOT_COLLECTOR_IMAGE),
      essential: false,
      memoryLimitMiB: 128,
      environment: {
        AOT_CONFIG_CONTENT: JSON.stringify(
          collectorConfig({
            service: props.workspace,
            appPort: props.port,
            metrics: props.forwardedMetrics,
            metricsLogGroupName: this.metricsLogGroup.logGroupName,
          }),
        ),
        AWS_REGION: Stack.of(this).region,
      },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'otel-collector', logGroup }),
      // The image has no shell: its own probe of the health_check extension.
      healthCheck: {
        command: ['CMD', '/healthcheck'],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(10),
      },
      readonlyRootFilesystem: true,
    });
    app.addContainerDependencies({
      container: collector,
      condition: ecs.ContainerDependencyCondition.START,
    });

    this.metricsLogGroup.grantWrite(this.taskDefinition.taskRole);
    this.taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({
        sid: 'SendTraceSegments',
        actions: ['xray:PutTraceSegments'],
        resources: ['*'],
      }),
    );
    acknowledge(
      this.taskDefinition.taskRole,
      'AwsSolutions-IAM5[Resource::*]',
      'xray:PutTraceSegments, the one X-Ray action the collector needs, supports no resource-level permission: AWS requires "*" for it.',
    );
    if (this.taskDefinition.executionRole)
      acknowledge(
        this.taskDefinition.executionRole,
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken, which ECS needs to pull the server image, supports no resource-level permission; the role’s other statements name the asset repository, the log group and the store secret.',
      );
    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'These variables are configuration, not secrets (pool and client ids, stage, ports, the store URL without its password, the collector config): every secret reaches the task through `secrets` (Secrets Manager), never `environment`.',
    );

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.desiredCount,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      healthCheckGracePeriod: Duration.seconds(30),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
    });

    const [first, ...others] = props.routing;
    // The first rule keeps the construct id it had when it was the only one.
    this.targetGroup = props.listener.addTargets(`${id}Targets`, {
      priority: first.priority,
      conditions: [elbv2.ListenerCondition.pathPatterns(first.pathPatterns)],
      port: props.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.service],
      deregistrationDelay: Duration.seconds(20),
      healthCheck: {
        path: '/readyz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    for (const rule of others)
      props.listener.addTargetGroups(`${id}${rule.name}`, {
        priority: rule.priority,
        conditions: [elbv2.ListenerCondition.pathPatterns(rule.pathPatterns)],
        targetGroups: [this.targetGroup],
      });

    this.service
      .autoScaleTaskCount({ minCapacity: props.desiredCount, maxCapacity: props.maxCount })
      .scaleOnCpuUtilization('Cpu', {
        targetUtilizationPercent: 60,
        scaleInCooldown: Duration.seconds(120),
        scaleOutCooldown: Duration.seconds(60),
      });
  }
}
