import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AuthStack } from '../../lib/auth-stack';
import { settingsFromContext } from '../../lib/settings';

export interface Synthesized {
  template: Template;
  /** The template as CloudFormation JSON text, for searches across the whole document. */
  json: string;
}

/**
 * Synthesizes the stack exactly as `bin/app.ts` does, with the given context on
 * top of `cdk.json`'s, into a temporary folder that is removed afterwards.
 */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'authstack-cdk-'));
  try {
    const cdkJson = JSON.parse(
      readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
    ) as { context: Record<string, unknown> };
    const app = new App({ outdir, context: { ...cdkJson.context, ...context } });
    const stack = new AuthStack(app, 'AuthStack', { settings: settingsFromContext(app.node) });
    const template = Template.fromStack(stack);
    return { template, json: JSON.stringify(template.toJSON()) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The logical id of the one resource of `type` whose id contains `hint`. */
export function logicalId(template: Template, type: string, hint: string): string {
  const ids = Object.keys(template.findResources(type) as Resources).filter((id) =>
    id.includes(hint),
  );
  if (ids.length !== 1)
    throw new Error(`expected one ${type} matching ${hint}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}
