import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../lib/paths';

const run = promisify(execFile);

describe('cdk synth (the CLI, through cdk.json and bin/app.ts)', () => {
  it('synthesizes the stack without Docker or AWS credentials', async () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'authstack-synth-'));
    try {
      await run(
        path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk'),
        ['synth', '--quiet', '--output', outdir],
        {
          cwd: path.join(REPO_ROOT, 'infra'),
          env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
        },
      );
      const template = JSON.parse(
        readFileSync(path.join(outdir, 'AuthStack.template.json'), 'utf8'),
      ) as {
        Resources: Record<string, { Type: string }>;
      };
      const types = Object.values(template.Resources).map((resource) => resource.Type);
      for (const type of ['AWS::Cognito::UserPool', 'AWS::Lambda::Function', 'AWS::ECS::Service'])
        expect(types).toContain(type);
      const assets = JSON.parse(
        readFileSync(path.join(outdir, 'AuthStack.assets.json'), 'utf8'),
      ) as {
        dockerImages: Record<string, { source: { dockerFile: string } }>;
      };
      expect(
        Object.values(assets.dockerImages)
          .map((image) => image.source.dockerFile)
          .sort(),
      ).toEqual(['auth-server/Dockerfile', 'resource-server/Dockerfile']);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
