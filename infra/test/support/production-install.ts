import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../lib/paths';

const run = promisify(execFile);

export type ServiceWorkspace = 'auth-server' | 'resource-server' | 'local-pool';

/**
 * What the runtime stage of `<workspace>/Dockerfile` copies from the build stage
 * (`COPY --from=build /app/<from> <to>`), as paths relative to the repository and to `/app`.
 */
export function copiedFromBuild(workspace: ServiceWorkspace): { from: string; to: string }[] {
  const dockerfile = readFileSync(path.join(REPO_ROOT, workspace, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  return [...runtime.matchAll(/^COPY --from=build \/app\/(\S+) (\S+)$/gm)].map((match) => ({
    from: match[1] as string,
    to: match[2] as string,
  }));
}

/** The production installs' native addon: better-sqlite3, for the local pool. */
const NATIVE_ADDON = {
  name: 'better-sqlite3',
  binary: path.join('build', 'Release', 'better_sqlite3.node'),
};

const prebuilt = new Map<string, Promise<void>>();

/**
 * Puts the better-sqlite3 this repository's install already compiled (the same locked
 * version, for the Node running the tests) where its installer looks before downloading or
 * compiling: a prebuilt archive in `<into>/prebuilds`, named by prebuild-install's pattern,
 * and a `.prebuild-installrc` in `into` that every install below it finds. Without it, each
 * production install would compile SQLite again — the same source with the same compiler,
 * minutes on two cores — because the prebuilt binaries' download site is out of reach
 * here (in the image, the build stage has the toolchain for that). The rest of the install
 * is the image's.
 */
function usePrebuiltAddon(into: string): Promise<void> {
  let done = prebuilt.get(into);
  if (!done) {
    done = (async () => {
      const addon = path.join(REPO_ROOT, 'node_modules', NATIVE_ADDON.name);
      if (!existsSync(path.join(addon, NATIVE_ADDON.binary))) return;
      const { version } = JSON.parse(readFileSync(path.join(addon, 'package.json'), 'utf8')) as {
        version: string;
      };
      const folder = path.join(into, 'prebuilds');
      mkdirSync(folder, { recursive: true });
      // {name}-v{version}-{runtime}-v{abi}-{platform}{libc}-{arch}.tar.gz (glibc: no libc part)
      const archive = `${NATIVE_ADDON.name}-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
      await run('tar', ['-czf', path.join(folder, archive), '-C', addon, NATIVE_ADDON.binary]);
      writeFileSync(path.join(into, '.prebuild-installrc'), `local-prebuilds=${folder}\n`);
    })();
    prebuilt.set(into, done);
  }
  return done;
}

/**
 * Installs one service the way its Dockerfile's runtime stage does: the root
 * package.json and lock plus the package.json of the workspace and of shared,
 * `npm ci --omit=dev -w @authstack/<workspace>`, then what the Dockerfile copies from
 * the build stage (the built `dist` folders; for the servers, `shared/migrations` too),
 * read from the Dockerfile itself. Returns the folder, the image's `/app`.
 */
export async function installForProduction(
  workspace: ServiceWorkspace,
  into: string,
): Promise<string> {
  const app = path.join(into, workspace);
  await usePrebuiltAddon(into);
  for (const file of ['package.json', 'package-lock.json']) {
    mkdirSync(app, { recursive: true });
    cpSync(path.join(REPO_ROOT, file), path.join(app, file));
  }
  for (const member of ['shared', workspace]) {
    mkdirSync(path.join(app, member), { recursive: true });
    cpSync(path.join(REPO_ROOT, member, 'package.json'), path.join(app, member, 'package.json'));
  }
  // `--prefer-offline`: the packages the lock names come from npm's cache without asking the
  // registry whether they changed (a locked version and its integrity never do); in the image
  // the cache is empty and the same command downloads them. 2–3 CPU-s less an install.
  await run(
    'npm',
    [
      'ci',
      '--omit=dev',
      '-w',
      `@authstack/${workspace}`,
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
    ],
    {
      cwd: app,
      env: { ...process.env, NODE_ENV: 'production' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  for (const { from, to } of copiedFromBuild(workspace))
    cpSync(path.join(REPO_ROOT, from), path.join(app, to), { recursive: true });
  return app;
}
