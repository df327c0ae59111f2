import type { Node } from 'constructs';

import { MFA_MODES, stageName, type MfaMode } from '@authstack/shared';

/** TOTP multi-factor sign-in for the pool: the auth-server's `MFA_MODE`. */
export { MFA_MODES, type MfaMode };

export const SIGNUP_CONFIRMATIONS = ['auto', 'code'] as const;
export type SignupConfirmation = (typeof SIGNUP_CONFIRMATIONS)[number];

/** What a deployment may choose, from CDK context (`cdk.json` or `-c key=value`). */
export interface DeploymentSettings {
  /** Path prefix of both APIs: `/<stage>/api`. */
  stage: string;
  /** Give the app client a secret (the auth-server then sends SECRET_HASH). */
  clientSecret: boolean;
  /** An existing Secrets Manager secret whose SecretString is the legacy database URL; created empty when absent. */
  legacyDatabaseSecretArn?: string;
  /** An ACM certificate for HTTPS on the load balancer; plain HTTP on port 80 when absent. */
  certificateArn?: string;
  /**
   * The host name the certificate is for, whose DNS points at the load balancer (required with
   * `certificateArn`: the load balancer's own name is on no certificate). The public URLs
   * (`ApiUrl`, the account pages' `ACCOUNT_RESOURCE_API_URL`) use it.
   */
  domainName?: string;
  /** Email domains whose legacy users may migrate (empty: any). */
  migrationAllowedEmailDomains: string[];
  /**
   * `code` (default): Cognito mails a code and sign-up completes only with it, so a verified
   * email was proved; `auto` creates users confirmed without that proof.
   */
  signupConfirmation: SignupConfirmation;
  /**
   * `off`, `optional` (default: each user may enrol an authenticator) or `required` (everyone
   * must). `required` can only be given to a new pool: Cognito refuses to turn an existing
   * pool's MFA ON through CloudFormation (infra/README.md).
   */
  mfaMode: MfaMode;
  desiredCount: number;
  maxCount: number;
  logRetentionDays: number;
  /** The state store's RDS instance class without the `db.` prefix, e.g. `t4g.small`, `m7g.large`. */
  stateDatabaseInstanceType: string;
  /** A standby in the second AZ (failover in 1–2 minutes); about twice the instance cost. */
  stateDatabaseMultiAz: boolean;
}

export const DEFAULT_SETTINGS: DeploymentSettings = {
  stage: 'v1',
  clientSecret: false,
  migrationAllowedEmailDomains: [],
  signupConfirmation: 'code',
  mfaMode: 'optional',
  desiredCount: 2,
  maxCount: 4,
  logRetentionDays: 30,
  stateDatabaseInstanceType: 't4g.small',
  stateDatabaseMultiAz: false,
};

function text(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw new Error(`context ${key}: expected a string, number or boolean`);
}

function flag(node: Node, key: string, fallback: boolean): boolean {
  const value = text(node, key);
  if (value === undefined) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`context ${key}: expected true or false, got ${value}`);
}

function oneOf<T extends string>(node: Node, key: string, values: readonly T[], fallback: T): T {
  const value = text(node, key);
  if (value === undefined) return fallback;
  const match = values.find((candidate) => candidate === value);
  if (match === undefined) {
    const choices = `${values.slice(0, -1).join(', ')} or ${values.at(-1) ?? ''}`;
    throw new Error(`context ${key}: expected ${choices}, got ${value}`);
  }
  return match;
}

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

function domainName(node: Node, certificateArn: string | undefined): string | undefined {
  const value = text(node, 'domainName')?.toLowerCase();
  if (value !== undefined && !HOST_NAME.test(value))
    throw new Error(
      `context domainName: expected a host name such as api.example.com, got ${value}`,
    );
  if (certificateArn !== undefined && value === undefined)
    throw new Error(
      'context domainName: required with certificateArn (the host name the certificate is for, pointing at the load balancer)',
    );
  return value;
}

function count(node: Node, key: string, fallback: number): number {
  const value = text(node, key);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`context ${key}: expected a positive integer, got ${value}`);
  return parsed;
}

/** Reads and checks the deployment's context; a bad value throws naming the key. */
export function settingsFromContext(node: Node): DeploymentSettings {
  const stage = text(node, 'stage') ?? DEFAULT_SETTINGS.stage;
  const stageCheck = stageName.safeParse(stage);
  if (!stageCheck.success)
    throw new Error(
      `context stage: ${stageCheck.error.issues[0]?.message ?? 'invalid'}, got ${stage}`,
    );
  const stateDatabaseInstanceType =
    text(node, 'stateDatabaseInstanceType') ?? DEFAULT_SETTINGS.stateDatabaseInstanceType;
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(stateDatabaseInstanceType))
    throw new Error(
      `context stateDatabaseInstanceType: expected an instance class such as t4g.small, got ${stateDatabaseInstanceType}`,
    );
  const certificateArn = text(node, 'certificateArn');
  const settings: DeploymentSettings = {
    stage,
    clientSecret: flag(node, 'clientSecret', DEFAULT_SETTINGS.clientSecret),
    legacyDatabaseSecretArn: text(node, 'legacyDatabaseSecretArn'),
    certificateArn,
    domainName: domainName(node, certificateArn),
    migrationAllowedEmailDomains: (text(node, 'migrationAllowedEmailDomains') ?? '')
      .split(',')
      .map((domain) => domain.trim())
      .filter((domain) => domain.length > 0),
    signupConfirmation: oneOf(
      node,
      'signupConfirmation',
      SIGNUP_CONFIRMATIONS,
      DEFAULT_SETTINGS.signupConfirmation,
    ),
    mfaMode: oneOf(node, 'mfaMode', MFA_MODES, DEFAULT_SETTINGS.mfaMode),
    desiredCount: count(node, 'desiredCount', DEFAULT_SETTINGS.desiredCount),
    maxCount: count(node, 'maxCount', DEFAULT_SETTINGS.maxCount),
    logRetentionDays: count(node, 'logRetentionDays', DEFAULT_SETTINGS.logRetentionDays),
    stateDatabaseInstanceType,
    stateDatabaseMultiAz: flag(node, 'stateDatabaseMultiAz', DEFAULT_SETTINGS.stateDatabaseMultiAz),
  };
  if (settings.maxCount < settings.desiredCount)
    throw new Error('context maxCount: must be at least desiredCount');
  return settings;
}
