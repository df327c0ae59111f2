import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../lib/paths';

/** A Compose CLI found on this machine: `docker compose` (v2) or `docker-compose` (v1). */
export interface ComposeCli {
  command: string;
  prefix: string[];
  /** What ran, e.g. `docker-compose 1.29.2`. */
  name: string;
}

/** The first Compose CLI that answers `version` (on `environment`'s PATH), or undefined when none is installed. */
export function findComposeCli(
  environment: NodeJS.ProcessEnv = process.env,
): ComposeCli | undefined {
  const candidates: [string, string[]][] = [
    ['docker', ['compose']],
    ['docker-compose', []],
  ];
  for (const [command, prefix] of candidates) {
    const result = spawnSync(command, [...prefix, 'version', '--short'], {
      encoding: 'utf8',
      env: environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (result.status === 0) {
      return { command, prefix, name: `${[command, ...prefix].join(' ')} ${result.stdout.trim()}` };
    }
  }
  return undefined;
}

/** Compose's own variables, which must come from the test alone. */
const COMPOSE_VARIABLES = ['MFA_MODE', 'SIGNUP_CONFIRMATION', 'LOG_LEVEL'];

/** Runs `<cli> -f <file> <args>` at the repository root with `variables` as the only compose variables. */
function runCli(
  cli: ComposeCli,
  file: string,
  args: string[],
  variables: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  const environment = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !COMPOSE_VARIABLES.includes(name)),
  );
  return spawnSync(cli.command, [...cli.prefix, '-f', file, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...environment, ...variables },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The CLI's complaints about `file` (`config -q`); empty when it accepts it. */
export function cliProblems(cli: ComposeCli, file: string): string[] {
  const result = runCli(cli, file, ['config', '-q'], {});
  if (result.status === 0) return [];
  return [`${cli.name} config -q exited ${String(result.status)}: ${result.stderr.trim()}`];
}

const VARIABLE =
  /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Compose's variable interpolation of one string: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`
 * (unset or empty), `${VAR-default}` (unset), `${VAR:?message}` and `${VAR?message}`.
 * Nested defaults are not supported (the repository's compose file has none).
 */
export function interpolate(text: string, variables: Record<string, string | undefined>): string {
  return text.replace(
    VARIABLE,
    (
      _match,
      dollar: string | undefined,
      braced: string | undefined,
      operator: string | undefined,
      argument: string | undefined,
      bare: string | undefined,
    ) => {
      if (dollar) return '$';
      const name = braced ?? bare ?? '';
      const value = variables[name];
      switch (operator) {
        case ':-':
          return value ? value : (argument ?? '');
        case '-':
          return value ?? argument ?? '';
        case ':?':
        case '?':
          if (value === undefined || (operator === ':?' && value === ''))
            throw new Error(`required variable ${name} is missing a value: ${argument ?? ''}`);
          return value;
        default:
          return value ?? '';
      }
    },
  );
}

function interpolateAll(node: unknown, variables: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolate(node, variables);
  if (Array.isArray(node)) return node.map((item) => interpolateAll(item, variables));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, interpolateAll(value, variables)]),
    );
  }
  return node;
}

/**
 * A compose file as Compose reads it before validating: YAML with anchors and merge keys
 * resolved, then every value interpolated from `variables` alone.
 */
export function loadComposeFile(file: string, variables: Record<string, string> = {}): unknown {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  return interpolateAll(parse(text, { merge: true }), variables);
}

/**
 * The file as the Compose CLI resolves it (`config`) when one is installed, else as
 * `loadComposeFile` reads it; `resolver` says which.
 */
export function resolveComposeFile(
  cli: ComposeCli | undefined,
  file: string,
  variables: Record<string, string>,
): unknown {
  if (!cli) return loadComposeFile(file, variables);
  const result = runCli(cli, file, ['config'], variables);
  if (result.status !== 0) throw new Error(`${cli.name} config failed: ${result.stderr}`);
  return parse(result.stdout);
}

export const SCHEMA_VALIDATOR = 'the Compose Specification JSON schema (ajv)';

/** Go's time.Duration syntax, which Compose uses for intervals and grace periods. */
const DURATION = /^[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/;

/** The schema without its draft-04 `id`s (labels equal to their own JSON pointers). */
function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutIds(value)]),
  );
}

function compileComposeSchema() {
  const published = JSON.parse(
    readFileSync(path.join(__dirname, 'compose-spec', 'compose-spec.json'), 'utf8'),
  ) as unknown;
  // Its `$schema` names draft 2019-09, which Ajv2019 implements; its own formats for ports,
  // expose and subnets are checked by Compose in code, so here only their JSON types are.
  const { $schema: _draft, ...schema } = withoutIds(published) as Record<string, unknown>;
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.addFormat('duration', DURATION);
  for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
  return ajv.compile(schema);
}

let validateCompose: ReturnType<typeof compileComposeSchema> | undefined;

/** What the Compose Specification schema finds wrong with `document`; empty when it is valid. */
export function schemaProblems(document: unknown): string[] {
  validateCompose ??= compileComposeSchema();
  if (validateCompose(document)) return [];
  return (validateCompose.errors ?? []).map(
    (error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`,
  );
}
