// Bundles each Lambda handler into one CommonJS file (+ source map), for the CDK stack and the
// container image. Run by `npm run build`.
//   dist/lambda/index.js                     the user pool's trigger (src/handler.ts)
//   dist/lambda-revocation-events/index.js   sign-outs made outside the auth-server
//                                            (src/revocation-events/handler.ts)
import { analyzeMetafile, build } from 'esbuild';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const sharedSource = path.resolve(root, '../shared/src');

// The shared package (and its subpaths, e.g. @authstack/shared/state-store) is bundled from
// its TypeScript source and marked free of side effects, so only what a handler uses
// (logger, config, password policy, revocation store) is kept and its HTTP helpers
// (express, pino-http) are left out.
const sharedFromSource = {
  name: 'shared-from-source',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@authstack\/shared(\/[a-z/-]+)?$/ }, (args) => {
      const subpath = args.path.slice('@authstack/shared'.length);
      const base = path.join(sharedSource, subpath || 'index');
      return {
        path: existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts'),
        sideEffects: false,
      };
    });
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

const lambdas = [
  { entry: 'src/handler.ts', outdir: 'dist/lambda' },
  { entry: 'src/revocation-events/handler.ts', outdir: 'dist/lambda-revocation-events' },
];

for (const lambda of lambdas) {
  const outfile = path.join(root, lambda.outdir, 'index.js');
  const result = await build({
    entryPoints: [path.join(root, lambda.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    // pg requires pg-native only when asked for it; the Lambda never is. The AWS SDK is part
    // of the Lambda Node.js runtime. node-pg-migrate runs in the servers only (migrations).
    external: ['pg-native', '@aws-sdk/*', 'node-pg-migrate'],
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
}
