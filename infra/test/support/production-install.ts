import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
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
  for (const file of ['package.json', 'package-lock.json']) {
    mkdirSync(app, { recursive: true });
    cpSync(path.join(REPO_ROOT, file), path.join(app, file));
  }
  for (const member of ['shared', workspace]) {
    mkdirSync(path.join(app, member), { recursive: true });
    cpSync(path.join(REPO_ROOT, member, 'package.json'), path.join(app, member, 'package.json'));
  }
  await run(
    'npm',
    ['ci', '--omit=dev', '-w', `@authstack/${workspace}`, '--no-audit', '--no-fund'],
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
