import path from 'node:path';

/** The repository root: the Docker build context and the home of every workspace. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The trigger's esbuild bundle (`index.js` exporting `handler`), made by `npm run build`. */
export const TRIGGER_BUNDLE_DIR = path.join(REPO_ROOT, 'trigger', 'dist', 'lambda');

/** The revocation-events Lambda's esbuild bundle (`index.js` exporting `handler`), made by `npm run build`. */
export const REVOCATION_EVENTS_BUNDLE_DIR = path.join(
  REPO_ROOT,
  'trigger',
  'dist',
  'lambda-revocation-events',
);
