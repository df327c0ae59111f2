// Bundles the Lambda handler into one CommonJS file, dist/lambda/index.js (+ source map),
// for the CDK stack and the container image. Run by `npm run build`.
import { analyzeMetafile, build } from 'esbuild';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const sharedSource = path.resolve(root, '../shared/src');

// The shared package is bundled from its TypeScript source and marked free of side
// effects, so only what the handler uses (logger, config, password policy) is kept and
// its HTTP helpers (express, pino-http) are left out.
const sharedFromSource = {
  name: 'shared-from-source',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@authstack\/shared$/ }, () => ({
      path: path.join(sharedSource, 'index.ts'),
      sideEffects: false,
    }));
    pluginBuild.onResolve({ filter: /^\./ }, async (args) => {
      if (!args.importer.startsWith(sharedSource) || args.pluginData === 'inner') return undefined;
      const resolved = await pluginBuild.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'inner',
      });
      return resolved.errors.length > 0 ? resolved : { path: resolved.path, sideEffects: false };
    });
  },
};

const outfile = path.join(root, 'dist/lambda/index.js');
const result = await build({
  entryPoints: [path.join(root, 'src/handler.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  // pg requires pg-native only when asked for it; the Lambda never is. The AWS SDK
  // (read only for LEGACY_DATABASE_SECRET_ARN) is part of the Lambda Node.js runtime.
  external: ['pg-native', '@aws-sdk/*'],
  // import() of the SDK becomes require(), which finds the runtime's copy (NODE_PATH).
  supported: { 'dynamic-import': false },
  plugins: [sharedFromSource],
  // hash-wasm's ES build lets esbuild keep argon2 alone instead of every algorithm's WASM.
  alias: { 'hash-wasm': 'hash-wasm/dist/index.esm.js' },
  resolveExtensions: ['.ts', '.js', '.json'],
  logLevel: 'warning',
  metafile: true,
});

if (process.argv.includes('--analyze'))
  process.stdout.write(await analyzeMetafile(result.metafile));
const bytes = statSync(outfile).size;
process.stdout.write(
  `${JSON.stringify({ msg: 'lambda bundle written', outfile: path.relative(root, outfile), bytes, inputs: Object.keys(result.metafile.inputs).length })}\n`,
);
