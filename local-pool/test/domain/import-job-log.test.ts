import {
  findImportLogGroup,
  logGroupNameOf,
  readImportJobLog,
  type LogEvent,
  type LogReadRequest,
} from '@authstack/local-pool/domain/import-job-log';
import type { ImportJobRecord } from '@authstack/local-pool/domain/import-jobs';
import { domainFixture, type DomainFixture } from '../support/domain-context';

let fixture: DomainFixture;

beforeEach(() => {
  fixture = domainFixture();
});

afterEach(() => {
  fixture.close();
});

/** A job that has processed `lines` user rows, with the given lines stored as FAILED. */
function jobWithLines(lines: number, failed: Iterable<number> = [], reason = 'Bad row.') {
  const { context, pool, now } = fixture;
  const created = context.store.importJobs.insert({
    id: 'import-Abcdefghij',
    poolId: pool.id,
    name: 'big',
    roleArn: 'arn:aws:iam::000000000000:role/CognitoImportLogs',
    uploadToken: 'upload-token',
    preSignedUrl: 'http://127.0.0.1:9229/_local/user-import/upload-token',
    uploadExpiresAt: now.ms,
    status: 'Created',
    createdAt: now.ms,
  });
  return context.store.transaction(() => {
    for (const line of failed) {
      context.store.importJobs.addEvent(created.id, { line, outcome: 'FAILED', message: reason });
    }
    return context.store.importJobs.update(created, {
      status: 'Succeeded',
      startedAt: now.ms + 1000,
      nextLine: lines,
    });
  });
}

/** Every event, page by page from the head, as the SDK paginator reads them. */
function readAll(job: ImportJobRecord, request: LogReadRequest = {}) {
  const events: LogEvent[] = [];
  const pages: number[] = [];
  let token: string | undefined;
  for (;;) {
    const page = readImportJobLog(fixture.context, job, {
      ...request,
      startFromHead: true,
      nextToken: token,
    });
    if (page.nextForwardToken === token) break;
    events.push(...page.events);
    pages.push(page.events.length);
    token = page.nextForwardToken;
  }
  return { events, pages };
}

const lineOf = (event: LogEvent | undefined): number =>
  Number(/Line Number (\d+) -/.exec(event?.message ?? '')?.[1]);

describe('readImportJobLog', () => {
  it('derives a SUCCEEDED line for each of 100,000 processed rows without a stored event, 10,000 a page', () => {
    const job = jobWithLines(100_000, [50_001]);
    const { events, pages } = readAll(job);
    expect(pages).toEqual(Array.from({ length: 10 }, () => 10_000));
    expect(events.map(lineOf)).toEqual(Array.from({ length: 100_000 }, (_, i) => i + 2));
    expect(events[0]).toEqual({
      timestamp: fixture.now.ms + 1000,
      ingestionTime: fixture.now.ms + 1000,
      message: '[SUCCEEDED] Line Number 2 - The import succeeded.',
    });
    expect(events[49_999]?.message).toBe('[FAILED] Line Number 50001 - Bad row.');
    expect(events.filter((event) => event.message.startsWith('[SUCCEEDED]'))).toHaveLength(99_999);
  });

  it('fills a page with at most 1 MB of events and goes on where it stopped, both ways', () => {
    const lines = 12_000;
    const job = jobWithLines(
      lines,
      Array.from({ length: lines }, (_, i) => i + 2),
      'x'.repeat(200),
    );
    const bytes = (events: readonly LogEvent[]) =>
      events.reduce((sum, event) => sum + Buffer.byteLength(event.message) + 26, 0);
    const head = readImportJobLog(fixture.context, job, { startFromHead: true });
    expect(head.events.length).toBeLessThan(10_000);
    expect(bytes(head.events)).toBeLessThanOrEqual(1_048_576);
    const next = readImportJobLog(fixture.context, job, {
      nextToken: head.nextForwardToken,
      limit: 1,
    });
    expect(lineOf(next.events[0])).toBe(lineOf(head.events.at(-1)) + 1);
    const tail = readImportJobLog(fixture.context, job, {});
    expect(bytes(tail.events)).toBeLessThanOrEqual(1_048_576);
    expect(lineOf(tail.events.at(-1))).toBe(lines + 1);
    const before = readImportJobLog(fixture.context, job, {
      nextToken: tail.nextBackwardToken,
      limit: 1,
    });
    expect(lineOf(before.events[0])).toBe(lineOf(tail.events[0]) - 1);
    expect(readAll(job).events.map(lineOf)).toEqual(Array.from({ length: lines }, (_, i) => i + 2));
  });

  it('gives no events outside startTime–endTime but pages on to the end', () => {
    const job = jobWithLines(5);
    const started = fixture.now.ms + 1000;
    expect(readAll(job, { startTime: started + 1 }).events).toEqual([]);
    expect(readAll(job, { endTime: started }).events).toEqual([]);
    expect(readAll(job, { startTime: started, endTime: started + 1 }).events).toHaveLength(5);
  });

  it.each(['f/1/s', `f/${'9'.repeat(56)}/s`, `b/${'0'.repeat(55)}6/s`, 'x'])(
    'refuses the token %s with InvalidParameterException',
    (nextToken) => {
      const job = jobWithLines(5);
      expect(() => readImportJobLog(fixture.context, job, { nextToken })).toThrow(
        expect.objectContaining({
          name: 'InvalidParameterException',
          message: 'The specified nextToken is invalid.',
        }),
      );
    },
  );
});

describe('findImportLogGroup', () => {
  it('names the group /aws/cognito/userpools/<id>/<name> and finds it once a job has started', () => {
    const name = logGroupNameOf(fixture.pool);
    expect(name).toBe('/aws/cognito/userpools/us-east-1_Abcdefghi/fixture');
    expect(findImportLogGroup(fixture.context, name)).toBeUndefined();
    const job = jobWithLines(1);
    expect(findImportLogGroup(fixture.context, name)?.jobs.map((found) => found.id)).toEqual([
      job.id,
    ]);
    expect(findImportLogGroup(fixture.context, `${name}x`)).toBeUndefined();
    expect(
      findImportLogGroup(fixture.context, '/aws/cognito/userpools/us-east-1_Other/fixture'),
    ).toBeUndefined();
  });
});
