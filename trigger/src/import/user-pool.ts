import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createReadStream, statSync } from 'node:fs';
import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  type GetLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CognitoIdentityProviderClient,
  CreateUserImportJobCommand,
  DescribeUserImportJobCommand,
  DescribeUserPoolCommand,
  GetCSVHeaderCommand,
  ListUserImportJobsCommand,
  ListUserPoolsCommand,
  paginateListUsers,
  StartUserImportJobCommand,
  type UserImportJobType,
} from '@aws-sdk/client-cognito-identity-provider';
import { normalizeEmail } from '@authstack/shared';
import { ImportError } from './errors';

const PERMISSION_ERRORS = new Set([
  'AccessDeniedException',
  'NotAuthorizedException',
  'UnauthorizedOperation',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

export interface UserPoolTarget {
  userPoolId: string;
  region: string;
  /** The local pool's URL; real Cognito (and CloudWatch Logs) when absent. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** What the import needs to know about the pool. */
export interface PoolFacts {
  name: string;
  /** `cognito:mfa_enabled` must be TRUE in a pool whose MFA is ON, FALSE when it is OFF. */
  mfaRequired: boolean;
  header: string[];
}

/** Terminal states of an import job: it will not change any more. */
export const FINISHED_JOB_STATES = new Set(['Succeeded', 'Failed', 'Stopped', 'Expired']);

/** One line of a job's CloudWatch log: `[FAILED] Line Number 7 - The reason.` */
export interface JobLogLine {
  line: number;
  outcome: 'SUCCEEDED' | 'SKIPPED' | 'FAILED';
  message: string;
}

const LOG_LINE = /^\[(SUCCEEDED|SKIPPED|FAILED)\] Line Number (\d+) - (.*)$/s;

/**
 * The user pool as the import sees it: Cognito's import-job API, the pool's users and the
 * jobs' CloudWatch logs, through the unchanged AWS SDK. Every failure becomes an
 * `ImportError` naming the operation and, for a refusal, the permission it needs.
 */
export class ImportUserPool {
  readonly #target: UserPoolTarget;
  readonly #cognito: CognitoIdentityProviderClient;
  readonly #logs: CloudWatchLogsClient;

  constructor(target: UserPoolTarget) {
    this.#target = target;
    const common = {
      region: target.region,
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
      ...(target.credentials ? { credentials: target.credentials } : {}),
      maxAttempts: 5,
    };
    this.#cognito = new CognitoIdentityProviderClient(common);
    this.#logs = new CloudWatchLogsClient(common);
  }

  get userPoolId(): string {
    return this.#target.userPoolId;
  }

  close(): void {
    this.#cognito.destroy();
    this.#logs.destroy();
  }

  /** The pool's name, MFA setting and CSV header; also the first check of id and permissions. */
  async facts(): Promise<PoolFacts> {
    const UserPoolId = this.#target.userPoolId;
    const { UserPool } = await this.#call('cognito-idp:DescribeUserPool', () =>
      this.#cognito.send(new DescribeUserPoolCommand({ UserPoolId })),
    );
    const { CSVHeader } = await this.#call('cognito-idp:GetCSVHeader', () =>
      this.#cognito.send(new GetCSVHeaderCommand({ UserPoolId })),
    );
    return {
      name: UserPool?.Name ?? '',
      mfaRequired: UserPool?.MfaConfiguration === 'ON',
      header: CSVHeader ?? [],
    };
  }

  /** The lower-cased email of every user already in the pool (whatever their status). */
  async emails(): Promise<Set<string>> {
    const emails = new Set<string>();
    await this.#call('cognito-idp:ListUsers', async () => {
      const pages = paginateListUsers(
        { client: this.#cognito, pageSize: 60 },
        { UserPoolId: this.#target.userPoolId, AttributesToGet: ['email'] },
      );
      for await (const page of pages) {
        for (const user of page.Users ?? []) {
          const email = user.Attributes?.find((attribute) => attribute.Name === 'email')?.Value;
          if (email) emails.add(normalizeEmail(email));
        }
      }
    });
    return emails;
  }

  async createJob(jobName: string, roleArn: string): Promise<UserImportJobType> {
    const { UserImportJob } = await this.#call('cognito-idp:CreateUserImportJob', () =>
      this.#cognito.send(
        new CreateUserImportJobCommand({
          UserPoolId: this.#target.userPoolId,
          JobName: jobName,
          CloudWatchLogsRoleArn: roleArn,
        }),
      ),
    );
    if (!UserImportJob?.JobId || !UserImportJob.PreSignedUrl) {
      throw new ImportError('CreateUserImportJob answered without a job id or upload URL');
    }
    return UserImportJob;
  }

  /** A job created by an earlier, interrupted run under this name, if it still waits for its file. */
  async findCreatedJob(jobName: string): Promise<UserImportJobType | undefined> {
    let token: string | undefined;
    do {
      const page = await this.#call('cognito-idp:ListUserImportJobs', () =>
        this.#cognito.send(
          new ListUserImportJobsCommand({
            UserPoolId: this.#target.userPoolId,
            MaxResults: 60,
            ...(token ? { PaginationToken: token } : {}),
          }),
        ),
      );
      const found = page.UserImportJobs?.find(
        (job) => job.JobName === jobName && job.Status === 'Created',
      );
      if (found) return found;
      token = page.PaginationToken;
    } while (token);
    return undefined;
  }

  async describeJob(jobId: string): Promise<UserImportJobType> {
    const { UserImportJob } = await this.#call('cognito-idp:DescribeUserImportJob', () =>
      this.#cognito.send(
        new DescribeUserImportJobCommand({ UserPoolId: this.#target.userPoolId, JobId: jobId }),
      ),
    );
    if (!UserImportJob) throw new ImportError(`DescribeUserImportJob found no job ${jobId}`);
    return UserImportJob;
  }

  async startJob(jobId: string): Promise<void> {
    await this.#call('cognito-idp:StartUserImportJob', () =>
      this.#cognito.send(
        new StartUserImportJobCommand({ UserPoolId: this.#target.userPoolId, JobId: jobId }),
      ),
    );
  }

  /**
   * PUTs the CSV file to the job's pre-signed URL as Cognito's instructions say (header
   * `x-amz-server-side-encryption: aws:kms`), streamed from disk with its length, so a
   * 100 MB file never sits in memory. Resolves to undefined, or the refusal of the URL.
   */
  async upload(preSignedUrl: string, file: string): Promise<string | undefined> {
    const url = new URL(preSignedUrl);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        url,
        {
          method: 'PUT',
          headers: {
            'content-type': 'text/csv',
            'content-length': statSync(file).size,
            'x-amz-server-side-encryption': 'aws:kms',
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(undefined);
            const body = Buffer.concat(chunks).toString('utf8');
            const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? `HTTP ${status}`;
            const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? '';
            resolve(`${code}${message ? `: ${message}` : ''}`);
          });
          response.on('error', reject);
        },
      );
      request.on('error', (error) =>
        reject(
          new ImportError(`Cannot upload the import file: ${error.message}`, { cause: error }),
        ),
      );
      createReadStream(file).on('error', reject).pipe(request);
    });
  }

  /**
   * Every SKIPPED and FAILED line of a job's log (log group
   * `/aws/cognito/userpools/<pool id>/<pool name>`, stream `<job id>/<job name>`), and how
   * many lines the log holds in all.
   */
  async jobLog(
    poolName: string,
    job: { id: string; name: string },
  ): Promise<{ lines: number; notImported: JobLogLine[] }> {
    const notImported: JobLogLine[] = [];
    let lines = 0;
    let token: string | undefined;
    for (;;) {
      const page: GetLogEventsCommandOutput = await this.#call('logs:GetLogEvents', () =>
        this.#logs.send(
          new GetLogEventsCommand({
            logGroupName: `/aws/cognito/userpools/${this.#target.userPoolId}/${poolName}`,
            logStreamName: `${job.id}/${job.name}`,
            startFromHead: true,
            ...(token ? { nextToken: token } : {}),
          }),
        ),
      );
      for (const event of page.events ?? []) {
        const match = LOG_LINE.exec(event.message ?? '');
        if (!match) continue;
        lines += 1;
        const outcome = match[1] as JobLogLine['outcome'];
        if (outcome !== 'SUCCEEDED') {
          notImported.push({ line: Number(match[2]), outcome, message: match[3] ?? '' });
        }
      }
      // CloudWatch hands back the same forward token at the end of the stream.
      if (!page.nextForwardToken || page.nextForwardToken === token) break;
      if ((page.events ?? []).length === 0) break;
      token = page.nextForwardToken;
    }
    return { lines, notImported };
  }

  /** The only pool at a local endpoint (so `--user-pool-id` can be left out locally). */
  async onlyPoolId(): Promise<string | undefined> {
    const { UserPools } = await this.#call('cognito-idp:ListUserPools', () =>
      this.#cognito.send(new ListUserPoolsCommand({ MaxResults: 2 })),
    );
    return UserPools?.length === 1 ? UserPools[0]?.Id : undefined;
  }

  async #call<T>(permission: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.#explain(permission, error);
    }
  }

  #explain(permission: string, error: unknown): ImportError {
    if (error instanceof ImportError) return error;
    const { name = 'Error', message = String(error) } = error as {
      name?: string;
      message?: string;
    };
    const code = (error as { code?: string }).code;
    const { userPoolId, region, endpoint } = this.#target;
    const operation = permission.slice(permission.indexOf(':') + 1);
    if (name === 'ResourceNotFoundException' && permission.startsWith('cognito-idp:')) {
      return new ImportError(
        `User pool ${userPoolId} was not found in ${region}${endpoint ? ` at ${endpoint}` : ''} (${operation}: ${message}). Check --user-pool-id and --region.`,
        { cause: error },
      );
    }
    if (PERMISSION_ERRORS.has(name)) {
      return new ImportError(
        `Not allowed to call ${permission} on ${userPoolId}: ${name}: ${message}. The operator needs the permissions in the UserImportOperator policy (README, "Bulk import").`,
        { cause: error },
      );
    }
    if ((code && NETWORK_ERRORS.has(code)) || name === 'TimeoutError') {
      return new ImportError(
        `Cannot reach ${endpoint ?? `Cognito in ${region}`} (${operation}): ${message}`,
        { cause: error },
      );
    }
    return new ImportError(`${operation} failed: ${name}: ${message}`, { cause: error });
  }
}
