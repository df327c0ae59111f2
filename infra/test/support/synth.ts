import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Validations, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuthStack } from '../../lib/auth-stack';
import { settingsFromContext } from '../../lib/settings';

export interface Synthesized {
  template: Template;
  /** The template as CloudFormation JSON text, for searches across the whole document. */
  json: string;
  /** The app, for what the template does not show (acknowledged cdk-nag rules). */
  app: App;
  /** cdk-nag's AWS Solutions findings that are neither fixed nor acknowledged, one line each. */
  nagFindings: () => string[];
}

/**
 * Synthesizes the stack as `bin/app.ts` does, with the given context on top of `cdk.json`'s
 * (environment-agnostic unless `env` names one), into a temporary folder removed afterwards.
 */
export function synthesize(context: Record<string, unknown> = {}, env?: Environment): Synthesized {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'authstack-cdk-'));
  try {
    const cdkJson = JSON.parse(
      readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
    ) as { context: Record<string, unknown> };
    const app = new App({ outdir, context: { ...cdkJson.context, ...context } });
    const stack = new AuthStack(app, 'AuthStack', {
      env,
      settings: settingsFromContext(app.node),
    });
    const template = Template.fromStack(stack);
    const nagFindings = () =>
      new AwsSolutionsChecks()
        .validateScope(app)
        .violations.flatMap((violation) =>
          violation.violatingResources.map(
            (resource) => `${violation.ruleName} at ${resource.constructPath}`,
          ),
        );
    return { template, json: JSON.stringify(template.toJSON()), app, nagFindings };
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

/** Every cdk-nag AwsSolutions rule acknowledged in the app: where, which, and why. */
export function acknowledgedNagRules(app: App): { path: string; rule: string; reason: string }[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .filter(([id]) => id.startsWith('Annotation::AwsSolutions-'))
      .map(([id, reason]) => ({
        path: construct.node.path,
        rule: id.slice('Annotation::'.length),
        reason,
      })),
  );
}
