import {
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initialiseFromTemplate, templateKey } from '../../src/local/cluster-template';

const asRoot = process.getuid?.() === 0;

describe('initialiseFromTemplate', () => {
  let top: string;
  let templates: string;
  /** A stand-in for initdb: counts its runs and writes a recognisable cluster. */
  let runs: string[];
  const initialise = async (into: string): Promise<void> => {
    runs.push(into);
    await new Promise((resolve) => setTimeout(resolve, 20));
    mkdirSync(path.join(into, 'base', '1'), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(into, 'PG_VERSION'), '18\n', { mode: 0o600 });
    writeFileSync(path.join(into, 'base', '1', 'table'), `made in ${path.basename(into)}`);
  };
  /** A cluster in `<top>/<dir>` from the template for `key`, made with `initialise` unless given. */
  const copyInto = (dir: string, key = 'k1', initdb = initialise) =>
    initialiseFromTemplate({ templates, key, dataDir: path.join(top, dir), initialise: initdb });

  beforeEach(() => {
    top = mkdtempSync(path.join(os.tmpdir(), 'cluster-template-'));
    templates = path.join(top, 'templates');
    runs = [];
  });
  afterEach(() => rmSync(top, { recursive: true, force: true }));

  it('runs initdb once for a key; every later cluster is a copy of that one', async () => {
    const first = await copyInto('a');
    const second = await copyInto('b');

    expect([first, second]).toEqual([{ templateCreated: true }, { templateCreated: false }]);
    expect(runs).toHaveLength(1);
    expect(readdirSync(templates)).toEqual(['k1']);
    const made = readFileSync(path.join(templates, 'k1', 'base', '1', 'table'), 'utf8');
    for (const dir of ['a', 'b']) {
      expect(readFileSync(path.join(top, dir, 'PG_VERSION'), 'utf8')).toBe('18\n');
      expect(readFileSync(path.join(top, dir, 'base', '1', 'table'), 'utf8')).toBe(made);
      expect(statSync(path.join(top, dir, 'PG_VERSION')).mode & 0o777).toBe(0o600);
    }
  });

  it('fills an existing empty data directory (a test’s temporary folder), keeping it private', async () => {
    const dataDir = mkdtempSync(path.join(top, 'data-'));
    await initialiseFromTemplate({ templates, key: 'k1', dataDir, initialise });
    expect(readdirSync(dataDir).sort()).toEqual(['PG_VERSION', 'base']);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('makes one template per key', async () => {
    await copyInto('a');
    await copyInto('b', 'k2');
    expect(runs).toHaveLength(2);
    expect(readdirSync(templates).sort()).toEqual(['k1', 'k2']);
  });

  it('when first starts race, one template wins, every cluster is a whole copy of it and no scratch folder is left', async () => {
    const results = await Promise.all(['a', 'b', 'c'].map((dir) => copyInto(dir)));
    expect(results.filter((result) => result.templateCreated)).toHaveLength(1);
    expect(readdirSync(templates)).toEqual(['k1']);
    const made = readFileSync(path.join(templates, 'k1', 'base', '1', 'table'), 'utf8');
    for (const dir of ['a', 'b', 'c'])
      expect(readFileSync(path.join(top, dir, 'base', '1', 'table'), 'utf8')).toBe(made);
  });

  it('when initdb fails, rethrows its error and leaves neither template nor scratch folder', async () => {
    const failing = async (into: string): Promise<void> => {
      mkdirSync(into, { recursive: true });
      writeFileSync(path.join(into, 'half-written'), '');
      throw new Error('initdb: could not create directory');
    };
    await expect(copyInto('a', 'k1', failing)).rejects.toThrow(
      'initdb: could not create directory',
    );
    expect(readdirSync(templates)).toEqual([]);
    await copyInto('a');
    expect(readFileSync(path.join(top, 'a', 'PG_VERSION'), 'utf8')).toBe('18\n');
  });

  it('gives the copy the template’s owner (as root: the postgres user, who runs the server)', async () => {
    await copyInto('a');
    const files = ['', 'PG_VERSION', 'base', 'base/1', 'base/1/table'];
    // Only root can give files away; anyone else's template and copies are their own.
    const owner = asRoot ? { uid: 4321, gid: 4321 } : statSync(path.join(templates, 'k1'));
    if (asRoot)
      for (const file of files) chownSync(path.join(templates, 'k1', file), owner.uid, owner.gid);
    await copyInto('b');
    for (const file of files) {
      const { uid, gid } = statSync(path.join(top, 'b', file));
      expect({ file, uid, gid }).toEqual({ file, uid: owner.uid, gid: owner.gid });
    }
  });
});

describe('templateKey', () => {
  const settings = {
    user: 'admin',
    password: 'local',
    authMethod: 'scram-sha-256',
    initdbFlags: ['--no-sync'],
  };

  it('is the same for the same settings, and differs when any of them changes', () => {
    const key = templateKey(settings);
    expect(templateKey({ ...settings })).toBe(key);
    expect(key).toMatch(/^[0-9a-f]{24}$/);
    for (const changed of [
      { user: 'other' },
      { password: 'other' },
      { authMethod: 'md5' },
      { initdbFlags: [] },
    ])
      expect(templateKey({ ...settings, ...changed })).not.toBe(key);
  });
});
