import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { REPO_ROOT } from './paths';

export interface ApiServiceProps {
  cluster: ecs.ICluster;
  listener: elbv2.ApplicationListener;
  /** The workspace folder, which holds the Dockerfile (`<workspace>/Dockerfile`). */
  workspace: 'auth-server' | 'resource-server';
  port: number;
  environment: Record<string, string>;
  secrets?: Record<string, ecs.Secret>;
  /**
   * Which requests the ALB sends here: path patterns (at most five) at a rule
   * priority (lower wins), or `default` for everything no rule matches.
   */
  routing: { pathPatterns: string[]; priority: number } | 'default';
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
 * One of the two HTTP servers on Fargate: image built from its Dockerfile (at
 * deploy time, not at synth), private subnets, the ALB sending it the paths it
 * owns and taking targets out on `/readyz`, CPU autoscaling, and a log group.
 */
export class ApiService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

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

    this.taskDefinition.addContainer('app', {
      containerName: props.workspace,
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, {
        file: `${props.workspace}/Dockerfile`,
        platform: Platform.LINUX_AMD64,
      }),
      environment: {
        HOST: '0.0.0.0',
        PORT: String(props.port),
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

    this.targetGroup = props.listener.addTargets(`${id}Targets`, {
      ...(props.routing === 'default'
        ? {}
        : {
            priority: props.routing.priority,
            conditions: [elbv2.ListenerCondition.pathPatterns(props.routing.pathPatterns)],
          }),
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

    this.service
      .autoScaleTaskCount({ minCapacity: props.desiredCount, maxCapacity: props.maxCount })
      .scaleOnCpuUtilization('Cpu', {
        targetUtilizationPercent: 60,
        scaleInCooldown: Duration.seconds(120),
        scaleOutCooldown: Duration.seconds(60),
      });
  }
}
