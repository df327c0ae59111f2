// `npm run build`: the shared package first (the others compile against its declarations),
// then every other workspace's build, as many at a time as there are cores: each `tsc` is one
// single-threaded process, so side by side on two cores the build takes about 20 s instead of
// 30. npm runs workspace scripts one after another, with no parallel option.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { URL } from 'node:url';

const { workspaces } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url)));
const FIRST = 'shared';

/** `npm run build --if-present` in one workspace; resolves with its exit code. */
const build = (workspace) =>
  new Promise((resolve) => {
    const child = spawn('npm', ['run', 'build', '--if-present', '--workspace', workspace], {
      stdio: 'inherit',
    });
    child.on('error', (error) => {
      console.error(`${workspace}: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

const failed = [];
if ((await build(FIRST)) !== 0) failed.push(FIRST);
else {
  const queue = workspaces.filter((workspace) => workspace !== FIRST);
  const worker = async () => {
    for (let workspace; (workspace = queue.shift());) {
      if ((await build(workspace)) !== 0) failed.push(workspace);
    }
  };
  await Promise.all(Array.from({ length: availableParallelism() }, worker));
}
if (failed.length > 0) {
  console.error(`build failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
