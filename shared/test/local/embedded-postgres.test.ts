import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src';
import { letPostgresUserThrough } from '../../src/local/embedded-postgres';
import { LogCapture } from '../../src/testing';

const asRoot = process.getuid?.() === 0;

describe('letPostgresUserThrough', () => {
  let top: string;
  beforeEach(() => {
    top = mkdtempSync(path.join(os.tmpdir(), 'pg-through-')); // 0700, as `mktemp -d`
  });
  afterEach(() => rmSync(top, { recursive: true, force: true }));

  it('as root, adds only the search bit to the closed folders above the given paths, and logs them (otherwise changes nothing)', async () => {
    const data = path.join(top, 'repo', '.local', 'state-db');
    mkdirSync(path.dirname(data), { recursive: true, mode: 0o750 });
    const logs = new LogCapture();
    const changed = await letPostgresUserThrough(
      [data],
      createLogger({ name: 'test', destination: logs }),
    );
    if (!asRoot) {
      expect(changed).toEqual([]);
      expect(statSync(top).mode & 0o777).toBe(0o700);
      return;
    }
    expect(changed).toEqual(expect.arrayContaining([top]));
    expect(statSync(top).mode & 0o777).toBe(0o701);
    expect(statSync(path.join(top, 'repo', '.local')).mode & 0o777).toBe(0o751);
    expect(logs.records()).toEqual([expect.objectContaining({ level: 'warn', folders: changed })]);
    expect(
      await letPostgresUserThrough([data], createLogger({ name: 'test', destination: logs })),
    ).toEqual([]);
  });
});
