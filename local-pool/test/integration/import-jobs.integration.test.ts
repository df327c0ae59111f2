import {
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  CreateUserImportJobCommand,
  DescribeUserImportJobCommand,
  DescribeUserPoolCommand,
  ForgotPasswordCommand,
  GetCSVHeaderCommand,
  InitiateAuthCommand,
  ListUserImportJobsCommand,
  ListUsersCommand,
  StartUserImportJobCommand,
  StopUserImportJobCommand,
  type UserImportJobType,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  paginateGetLogEvents,
  type GetLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  createTestUserPool,
  readOutbox,
  startLocalPool,
  type LocalPool,
  type TestUserPool,
} from '@authstack/local-pool/testing';
import {
  createConfirmedUser,
  failureOf,
  PASSWORD,
  SIGV4_HEADER,
  signIn,
  uniqueEmail,
} from './helpers';

const ROLE_ARN = 'arn:aws:iam::000000000000:role/CognitoImportLogs';
const HEADER = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
  'cognito:mfa_enabled',
  'cognito:username',
];
const FINISHED = ['Succeeded', 'Failed', 'Stopped', 'Expired'];

let pool: LocalPool;
let userPool: TestUserPool;
/** The unchanged CloudWatch Logs SDK client, pointed at the pool's endpoint as the CLI does. */
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  // A pause between batches of 1000 rows lets the Stop test catch a job InProgress.
  pool = await startLocalPool({ env: { LOCAL_POOL_IMPORT_BATCH_PAUSE_MS: '600000' } });
  userPool = await createTestUserPool(pool);
  logs = new CloudWatchLogsClient({
    endpoint: pool.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  logs.destroy();
  await pool.stop();
});

/** A CSV in the given column order; `rows` give values by column name, the rest empty. */
function csvOf(columns: readonly string[], rows: readonly Record<string, string>[]): string {
  const lines = rows.map((row) => columns.map((column) => row[column] ?? '').join(','));
  return [columns.join(','), ...lines].join('\n') + '\n';
}

const userRow = (email: string, extra: Record<string, string> = {}) => ({
  'cognito:username': email,
  email,
  email_verified: 'TRUE',
  'cognito:mfa_enabled': 'FALSE',
  ...extra,
});

async function createJob(poolId = userPool.userPoolId, name = 'legacy-users') {
  const { UserImportJob } = await pool.client.send(
    new CreateUserImportJobCommand({
      UserPoolId: poolId,
      JobName: name,
      CloudWatchLogsRoleArn: ROLE_ARN,
    }),
  );
  if (!UserImportJob?.JobId || !UserImportJob.PreSignedUrl) throw new Error('no job');
  return UserImportJob as UserImportJobType & { JobId: string; PreSignedUrl: string };
}

const upload = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'PUT',
    headers: { 'x-amz-server-side-encryption': 'aws:kms', ...headers },
    body,
  });

const describe_ = async (JobId: string, UserPoolId = userPool.userPoolId) =>
  (await pool.client.send(new DescribeUserImportJobCommand({ UserPoolId, JobId })))
    .UserImportJob as UserImportJobType;

async function waitUntil(
  JobId: string,
  done: (job: UserImportJobType) => boolean,
  UserPoolId = userPool.userPoolId,
): Promise<UserImportJobType> {
  for (;;) {
    const job = await describe_(JobId, UserPoolId);
    if (done(job)) return job;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function runJob(csv: string): Promise<UserImportJobType> {
  const job = await createJob();
  expect((await upload(job.PreSignedUrl, csv)).status).toBe(200);
  await pool.client.send(
    new StartUserImportJobCommand({ UserPoolId: userPool.userPoolId, JobId: job.JobId }),
  );
  return waitUntil(job.JobId, (current) => FINISHED.includes(current.Status ?? ''));
}

const userStatus = async (Username: string) =>
  (await pool.client.send(new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username })))
    .UserStatus;

/** Cognito's log group for a pool's import jobs, named from the pool's id and name. */
async function logGroupOf(UserPoolId: string): Promise<string> {
  const { UserPool } = await pool.client.send(new DescribeUserPoolCommand({ UserPoolId }));
  return `/aws/cognito/userpools/${UserPoolId}/${UserPool?.Name ?? ''}`;
}

describe('GetCSVHeader', () => {
  it("answers the pool's columns in Cognito's order, cognito:mfa_enabled and cognito:username last", async () => {
    const answer = await pool.client.send(
      new GetCSVHeaderCommand({ UserPoolId: userPool.userPoolId }),
    );
    expect(answer).toMatchObject({ UserPoolId: userPool.userPoolId, CSVHeader: HEADER });
  });

  it('answers ResourceNotFoundException for an unknown pool', async () => {
    const failure = await failureOf(
      pool.client.send(new GetCSVHeaderCommand({ UserPoolId: 'us-east-1_Nope12345' })),
    );
    expect(failure.name).toBe('ResourceNotFoundException');
  });
});

describe('CreateUserImportJob → PUT → StartUserImportJob → DescribeUserImportJob', () => {
  let existing: { email: string };
  const imported = [uniqueEmail('imp-a'), uniqueEmail('imp-b'), uniqueEmail('imp-c')];
  let finished: UserImportJobType;
  let jobId: string;

  beforeAll(async () => {
    existing = await createConfirmedUser(pool, userPool);
    const job = await createJob();
    jobId = job.JobId;
    expect(job).toMatchObject({
      JobName: 'legacy-users',
      UserPoolId: userPool.userPoolId,
      Status: 'Created',
      CloudWatchLogsRoleArn: ROLE_ARN,
      ImportedUsers: 0,
      SkippedUsers: 0,
      FailedUsers: 0,
    });
    expect(job.JobId).toMatch(/^import-[0-9a-zA-Z]{10}$/);
    expect(job.PreSignedUrl.startsWith(`${pool.endpoint}/_local/user-import/`)).toBe(true);
    expect(job.CreationDate).toBeInstanceOf(Date);
    expect(job.StartDate).toBeUndefined();
    // The columns in another order than GetCSVHeader's: Cognito does not mind the order.
    const columns = [...HEADER].reverse();
    const csv = csvOf(columns, [
      userRow(imported[0] ?? '', { name: 'Doe\\, Jane', given_name: 'Jane' }),
      userRow(imported[1] ?? ''),
      userRow(existing.email),
      userRow('not-an-email'),
      userRow(uniqueEmail('unverified'), { email_verified: 'FALSE' }),
      userRow(imported[2] ?? '', { updated_at: '1471453471' }),
    ]);
    expect((await upload(job.PreSignedUrl, csv, { 'content-type': 'text/csv' })).status).toBe(200);
    const { UserImportJob: started } = await pool.client.send(
      new StartUserImportJobCommand({ UserPoolId: userPool.userPoolId, JobId: jobId }),
    );
    expect(started).toMatchObject({ JobId: jobId, Status: 'Pending' });
    expect(started?.StartDate).toBeInstanceOf(Date);
    finished = await waitUntil(jobId, (current) => FINISHED.includes(current.Status ?? ''));
  });

  it('succeeds, counting the existing user as skipped and the bad rows as failed', () => {
    expect(finished).toMatchObject({
      Status: 'Succeeded',
      ImportedUsers: 3,
      SkippedUsers: 1,
      FailedUsers: 2,
      CompletionMessage: 'Import Job Completed Successfully.',
    });
    expect(finished.CompletionDate).toBeInstanceOf(Date);
  });

  it('creates the imported users in RESET_REQUIRED with their attributes, and leaves the existing one alone', async () => {
    for (const email of imported) expect(await userStatus(email)).toBe('RESET_REQUIRED');
    const { UserAttributes } = await pool.client.send(
      new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: imported[0] }),
    );
    const attributes = Object.fromEntries(
      (UserAttributes ?? []).map(({ Name, Value }) => [Name, Value]),
    );
    expect(attributes).toMatchObject({
      email: imported[0],
      email_verified: 'true',
      name: 'Doe, Jane',
      given_name: 'Jane',
    });
    expect(await userStatus(existing.email)).toBe('CONFIRMED');
    await expect(signIn(pool, userPool, existing.email)).resolves.toBeDefined();
    const unverified = await failureOf(
      pool.client.send(
        new AdminGetUserCommand({ UserPoolId: userPool.userPoolId, Username: 'not-an-email' }),
      ),
    );
    expect(unverified.name).toBe('UserNotFoundException');
  });

  describe('its CloudWatch log (GetLogEvents, DescribeLogStreams)', () => {
    let logGroupName: string;
    let logStreamName: string;
    const lines = [
      '[SUCCEEDED] Line Number 2 - The import succeeded.',
      '[SUCCEEDED] Line Number 3 - The import succeeded.',
      '[SKIPPED] Line Number 4 - The user already exists.',
      '[FAILED] Line Number 5 - Invalid email address format.',
      '[FAILED] Line Number 6 - The User Record does not set any of the auto verified attributes to verified. (Example: email_verified to true).',
      '[SUCCEEDED] Line Number 7 - The import succeeded.',
    ];
    const read = (input: Partial<GetLogEventsCommandInput> = {}) =>
      logs.send(new GetLogEventsCommand({ logGroupName, logStreamName, ...input }));

    beforeAll(async () => {
      logGroupName = await logGroupOf(userPool.userPoolId);
      logStreamName = `${jobId}/legacy-users`;
    });

    it('has one line per user row in line order, by line number and without user data', async () => {
      const answer = await read({ startFromHead: true });
      expect(answer.events?.map((event) => event.message)).toEqual(lines);
      const started = finished.StartDate?.getTime();
      for (const event of answer.events ?? []) {
        expect(event).toEqual({
          timestamp: started,
          ingestionTime: started,
          message: expect.any(String),
        });
      }
      const text = JSON.stringify(answer.events);
      expect(text).not.toContain('example.com');
      expect(text).not.toContain('not-an-email');
    });

    it('pages with a small limit, forward and backward, and gives back the same token at either end', async () => {
      const head = await read({ startFromHead: true, limit: 4 });
      expect(head.events?.map((event) => event.message)).toEqual(lines.slice(0, 4));
      const rest = await read({ nextToken: head.nextForwardToken, limit: 4 });
      expect(rest.events?.map((event) => event.message)).toEqual(lines.slice(4));
      const end = await read({ nextToken: rest.nextForwardToken, limit: 4 });
      expect(end.events).toEqual([]);
      expect(end.nextForwardToken).toBe(rest.nextForwardToken);
      const back = await read({ nextToken: rest.nextBackwardToken, limit: 2 });
      expect(back.events?.map((event) => event.message)).toEqual(lines.slice(2, 4));
      const start = await read({ nextToken: head.nextBackwardToken });
      expect(start.events).toEqual([]);
      expect(start.nextBackwardToken).toBe(head.nextBackwardToken);
    });

    it('reads every line once through the SDK paginator (stopOnSameToken), limit 2', async () => {
      const messages: string[] = [];
      const pages = paginateGetLogEvents(
        { client: logs, pageSize: 2, stopOnSameToken: true },
        { logGroupName, logStreamName, startFromHead: true },
      );
      for await (const page of pages) {
        expect((page.events ?? []).length).toBeLessThanOrEqual(2);
        messages.push(...(page.events ?? []).map((event) => event.message ?? ''));
      }
      expect(messages).toEqual(lines);
    });

    it('starts from the tail without startFromHead, as CloudWatch does', async () => {
      const tail = await read({ limit: 2 });
      expect(tail.events?.map((event) => event.message)).toEqual(lines.slice(4));
      const before = await read({ nextToken: tail.nextBackwardToken, limit: 2 });
      expect(before.events?.map((event) => event.message)).toEqual(lines.slice(2, 4));
    });

    it('finds the group by logGroupIdentifier, as a name or an ARN', async () => {
      const arn = `arn:aws:logs:us-east-1:000000000000:log-group:${logGroupName}`;
      for (const logGroupIdentifier of [logGroupName, arn, `${arn}:*`]) {
        const answer = await logs.send(
          new GetLogEventsCommand({
            logGroupIdentifier,
            logStreamName,
            startFromHead: true,
            limit: 1,
          }),
        );
        expect(answer.events?.map((event) => event.message)).toEqual(lines.slice(0, 1));
      }
    });

    it('lists the job’s stream with DescribeLogStreams, by name prefix', async () => {
      const { logStreams } = await logs.send(
        new DescribeLogStreamsCommand({ logGroupName, logStreamNamePrefix: jobId }),
      );
      const started = finished.StartDate?.getTime();
      expect(logStreams).toEqual([
        {
          logStreamName,
          creationTime: started,
          firstEventTimestamp: started,
          lastEventTimestamp: started,
          lastIngestionTime: started,
        },
      ]);
      const all = await logs.send(new DescribeLogStreamsCommand({ logGroupName }));
      expect(all.logStreams?.map((stream) => stream.logStreamName)).toContain(logStreamName);
      const none = await logs.send(
        new DescribeLogStreamsCommand({ logGroupName, logStreamNamePrefix: 'import-none' }),
      );
      expect(none.logStreams).toEqual([]);
    });

    it('answers ResourceNotFoundException for an unknown log group or stream', async () => {
      const unknownGroup = await failureOf(
        read({ logGroupName: `/aws/cognito/userpools/${userPool.userPoolId}/not-its-name` }),
      );
      expect(unknownGroup).toMatchObject({
        name: 'ResourceNotFoundException',
        message: 'The specified log group does not exist.',
        status: 400,
      });
      const unknownStream = await failureOf(
        read({ logStreamName: 'import-0000000000/legacy-users' }),
      );
      expect(unknownStream).toMatchObject({
        name: 'ResourceNotFoundException',
        message: 'The specified log stream does not exist.',
        status: 400,
      });
      const wrongJobName = await failureOf(read({ logStreamName: `${jobId}/other-name` }));
      expect(wrongJobName.name).toBe('ResourceNotFoundException');
      const listed = await failureOf(
        logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/cognito/userpools/x' })),
      );
      expect(listed.message).toBe('The specified log group does not exist.');
    });

    it('has no log group for a pool whose jobs never started', async () => {
      const other = await createTestUserPool(pool);
      await createJob(other.userPoolId, 'never-started');
      const failure = await failureOf(
        logs.send(
          new DescribeLogStreamsCommand({ logGroupName: await logGroupOf(other.userPoolId) }),
        ),
      );
      expect(failure.name).toBe('ResourceNotFoundException');
    });

    it.each<[string, Partial<GetLogEventsCommandInput>, string]>([
      ['limit 0', { limit: 0 }, 'limit'],
      ['limit 10001', { limit: 10_001 }, 'limit'],
      ['a token that is not one', { nextToken: 'f/1/s' }, 'nextToken'],
      ['both a name and an identifier', { logGroupIdentifier: 'x' }, 'logGroupIdentifier'],
      ['no log stream name', { logStreamName: undefined }, 'logStreamName'],
    ])('answers InvalidParameterException for %s', async (_case, input, named) => {
      const failure = await failureOf(read(input));
      expect(failure).toMatchObject({ name: 'InvalidParameterException', status: 400 });
      expect(failure.message).toContain(named);
    });

    it('answers an unknown CloudWatch Logs operation with UnknownOperationException', async () => {
      const response = await fetch(pool.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'Logs_20140328.PutLogEvents',
          authorization: SIGV4_HEADER,
        },
        body: '{}',
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        __type: 'UnknownOperationException',
        message: 'Operation PutLogEvents is not supported by the local pool.',
      });
    });
  });

  it('refuses the imported user a sign-in with PasswordResetRequiredException; ForgotPassword then lets them in', async () => {
    const email = imported[1] ?? '';
    const refused = await failureOf(
      pool.client.send(
        new InitiateAuthCommand({
          ClientId: userPool.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: 'any-Passw0rd!' },
        }),
      ),
    );
    expect(refused.name).toBe('PasswordResetRequiredException');
    const { CodeDeliveryDetails } = await pool.client.send(
      new ForgotPasswordCommand({ ClientId: userPool.clientId, Username: email }),
    );
    expect(CodeDeliveryDetails).toMatchObject({ DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const [message] = await readOutbox(pool.endpoint, email);
    expect(message?.kind).toBe('forgot-password');
    await pool.client.send(
      new ConfirmForgotPasswordCommand({
        ClientId: userPool.clientId,
        Username: email,
        ConfirmationCode: message?.code ?? '',
        Password: PASSWORD,
      }),
    );
    const tokens = await signIn(pool, userPool, email);
    expect(tokens.AccessToken).toEqual(expect.any(String));
    expect(await userStatus(email)).toBe('CONFIRMED');
  });

  it('imports nobody twice: a second job with the same file skips every user', async () => {
    const again = await runJob(
      csvOf(
        HEADER,
        imported.map((email) => userRow(email)),
      ),
    );
    expect(again).toMatchObject({
      Status: 'Failed',
      ImportedUsers: 0,
      SkippedUsers: 3,
      FailedUsers: 0,
      CompletionMessage: 'Too many users have failed or been skipped during the import.',
    });
  });
});

describe('import job states and errors', () => {
  it('fails the whole job when the header is not the pool’s', async () => {
    const job = await runJob(
      csvOf(
        HEADER.filter((column) => column !== 'cognito:mfa_enabled'),
        [userRow(uniqueEmail('no-mfa-column'))],
      ),
    );
    expect(job).toMatchObject({ Status: 'Failed', ImportedUsers: 0, FailedUsers: 0 });
    expect(job.CompletionMessage).toContain('missing columns: cognito:mfa_enabled');
  });

  it('answers PreconditionNotMetException for a start without a file, and for a second start', async () => {
    const job = await createJob();
    const start = () =>
      pool.client.send(
        new StartUserImportJobCommand({ UserPoolId: userPool.userPoolId, JobId: job.JobId }),
      );
    expect(await failureOf(start())).toMatchObject({
      name: 'PreconditionNotMetException',
      message: `No csv file was uploaded for ${job.JobId}`,
      status: 400,
    });
    expect((await describe_(job.JobId)).Status).toBe('Created');
    expect((await upload(job.PreSignedUrl, csvOf(HEADER, []))).status).toBe(200);
    await start();
    const second = await failureOf(start());
    expect(second.name).toBe('PreconditionNotMetException');
    expect(second.message).toContain('only a job in status Created can be started');
    const done = await waitUntil(job.JobId, (current) => FINISHED.includes(current.Status ?? ''));
    expect(done).toMatchObject({ Status: 'Succeeded', ImportedUsers: 0 });
    const upload2 = await upload(job.PreSignedUrl, csvOf(HEADER, []));
    expect(upload2.status).toBe(403);
    expect(await upload2.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('answers PreconditionNotMetException for a stop of a job that is not running', async () => {
    const job = await createJob();
    const failure = await failureOf(
      pool.client.send(
        new StopUserImportJobCommand({ UserPoolId: userPool.userPoolId, JobId: job.JobId }),
      ),
    );
    expect(failure.name).toBe('PreconditionNotMetException');
    expect((await describe_(job.JobId)).Status).toBe('Created');
  });

  it('answers ResourceNotFoundException for an unknown job, InvalidParameterException for a malformed id', async () => {
    const unknown = await failureOf(describe_('import-0000000000'));
    expect(unknown.name).toBe('ResourceNotFoundException');
    const malformed = await failureOf(describe_('job-1'));
    expect(malformed.name).toBe('InvalidParameterException');
  });

  it('answers InvalidParameterException for a CreateUserImportJob without a CloudWatch Logs role', async () => {
    const failure = await failureOf(
      pool.client.send(
        new CreateUserImportJobCommand({
          UserPoolId: userPool.userPoolId,
          JobName: 'no-role',
          CloudWatchLogsRoleArn: undefined as unknown as string,
        }),
      ),
    );
    expect(failure).toMatchObject({ name: 'InvalidParameterException', status: 400 });
    expect(failure.message).toContain('cloudWatchLogsRoleArn');
  });

  it('takes the upload only with the server-side-encryption header and the right token', async () => {
    const job = await createJob();
    const unsigned = await fetch(job.PreSignedUrl, { method: 'PUT', body: 'x' });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const guessed = await upload(`${pool.endpoint}/_local/user-import/not-the-token`, 'x');
    expect(guessed.status).toBe(403);
    expect(await guessed.text()).toContain('<Code>AccessDenied</Code>');
    expect((await describe_(job.JobId)).Status).toBe('Created');
  });
});

describe('ListUserImportJobs', () => {
  it('lists a pool’s jobs newest first, MaxResults at a time, with a PaginationToken', async () => {
    const other = await createTestUserPool(pool);
    const first = await createJob(other.userPoolId, 'first');
    const second = await createJob(other.userPoolId, 'second');
    const third = await createJob(other.userPoolId, 'third');
    const list = (PaginationToken?: string) =>
      pool.client.send(
        new ListUserImportJobsCommand({
          UserPoolId: other.userPoolId,
          MaxResults: 2,
          PaginationToken,
        }),
      );
    const page1 = await list();
    expect(page1.UserImportJobs?.map((job) => job.JobId)).toEqual([third.JobId, second.JobId]);
    expect(page1.PaginationToken).toEqual(expect.any(String));
    const page2 = await list(page1.PaginationToken);
    expect(page2.UserImportJobs?.map((job) => job.JobId)).toEqual([first.JobId]);
    expect(page2.PaginationToken).toBeUndefined();
  });

  it.each([0, 61])('answers InvalidParameterException for MaxResults %i', async (MaxResults) => {
    const failure = await failureOf(
      pool.client.send(
        new ListUserImportJobsCommand({ UserPoolId: userPool.userPoolId, MaxResults }),
      ),
    );
    expect(failure.name).toBe('InvalidParameterException');
  });
});

async function countUsers(UserPoolId: string): Promise<number> {
  let users = 0;
  let PaginationToken: string | undefined;
  do {
    const listed = await pool.client.send(
      new ListUsersCommand({ UserPoolId, Limit: 60, PaginationToken }),
    );
    users += listed.Users?.length ?? 0;
    PaginationToken = listed.PaginationToken;
  } while (PaginationToken);
  return users;
}

/** A started job of `size` users in a fresh pool, once its first batch of 1000 is committed. */
async function jobPausedAfterFirstBatch(size: number) {
  const target = await createTestUserPool(pool);
  const stamp = Date.now().toString(36);
  const job = await createJob(target.userPoolId, 'batched');
  const csv = csvOf(
    HEADER,
    Array.from({ length: size }, (_, i) => userRow(`batch.${i}.${stamp}@example.com`)),
  );
  expect((await upload(job.PreSignedUrl, csv)).status).toBe(200);
  await pool.client.send(
    new StartUserImportJobCommand({ UserPoolId: target.userPoolId, JobId: job.JobId }),
  );
  const running = await waitUntil(
    job.JobId,
    (current) => (current.ImportedUsers ?? 0) > 0,
    target.userPoolId,
  );
  expect(running).toMatchObject({ Status: 'InProgress', ImportedUsers: 1000 });
  return { poolId: target.userPoolId, jobId: job.JobId };
}

describe('StopUserImportJob', () => {
  it('stops a job InProgress after its current batch, with counters that match the users created', async () => {
    const { poolId, jobId } = await jobPausedAfterFirstBatch(1500);
    const { UserImportJob: stopping } = await pool.client.send(
      new StopUserImportJobCommand({ UserPoolId: poolId, JobId: jobId }),
    );
    expect(['Stopping', 'Stopped']).toContain(stopping?.Status);
    const stopped = await waitUntil(jobId, (current) => current.Status === 'Stopped', poolId);
    expect(stopped).toMatchObject({
      ImportedUsers: 1000,
      SkippedUsers: 0,
      FailedUsers: 0,
      CompletionMessage: 'The Import Job was stopped by the developer.',
    });
    expect(stopped.CompletionDate).toBeInstanceOf(Date);
    expect(await countUsers(poolId)).toBe(1000);
  });
});

describe('a job interrupted by a crash', () => {
  it('resumes after a restart from its last committed batch, imports every user once and logs each line once', async () => {
    const { poolId, jobId } = await jobPausedAfterFirstBatch(1500);
    const stream = { logGroupName: await logGroupOf(poolId), logStreamName: `${jobId}/batched` };
    const soFar = await logs.send(new GetLogEventsCommand({ ...stream, startFromHead: true }));
    expect(soFar.events).toHaveLength(1000);
    expect(soFar.events?.at(-1)?.message).toBe(
      '[SUCCEEDED] Line Number 1001 - The import succeeded.',
    );
    await pool.stop('SIGKILL');
    await pool.restart();
    const done = await waitUntil(
      jobId,
      (current) => FINISHED.includes(current.Status ?? ''),
      poolId,
    );
    expect(done).toMatchObject({
      Status: 'Succeeded',
      ImportedUsers: 1500,
      SkippedUsers: 0,
      FailedUsers: 0,
    });
    expect(await countUsers(poolId)).toBe(1500);
    const rest = await logs.send(
      new GetLogEventsCommand({ ...stream, nextToken: soFar.nextForwardToken }),
    );
    expect(rest.events?.map((event) => event.message)).toEqual(
      Array.from(
        { length: 500 },
        (_, i) => `[SUCCEEDED] Line Number ${1002 + i} - The import succeeded.`,
      ),
    );
  });
});
