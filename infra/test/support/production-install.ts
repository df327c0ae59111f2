import { execFile } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../lib/paths';

const run = promisify(execFile);

export type ServiceWorkspace = 'auth-server' | 'resource-server' | 'local-pool';

/**
 * Installs one service the way its Dockerfile's runtime stage does: the root
 * package.json and lock plus the package.json of the workspace and of shared,
 * `npm ci --omit=dev -w @authstack/<workspace>`, then the built `dist` of both
 * copied in (as `COPY --from=build`). Returns the folder, the image's `/app`.
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
  for (const member of ['shared', workspace])
    cpSync(path.join(REPO_ROOT, member, 'dist'), path.join(app, member, 'dist'), {
      recursive: true,
    });
  return app;
}
