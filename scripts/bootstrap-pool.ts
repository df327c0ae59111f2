/**
 * Compose's one-shot `bootstrap` service: makes sure the local pool has the stack's
 * pool, app client, `admin` group and demo admin, then writes their ids to an env
 * file that auth-server and resource-server read at start. Nothing copied by hand.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { createLogger, env, loadConfig, logProcessWarnings } from '@authstack/shared';
import { bootstrapLocalPool, MFA_MODES } from './stack/bootstrap';

const config = loadConfig(
  z.object({
    LOCAL_POOL_URL: env.url(),
    LOCAL_POOL_ISSUER_BASE: env.url(),
    AWS_REGION: z.string().min(1).default('us-east-1'),
    POOL_ENV_FILE: z.string().min(1),
    MFA_MODE: z.enum(MFA_MODES).default('optional'),
    LOG_LEVEL: env.logLevel(),
  }),
);

async function main(): Promise<void> {
  const logger = createLogger({ name: 'bootstrap', level: config.LOG_LEVEL });
  logProcessWarnings(logger);
  const { userPoolId, clientId } = await bootstrapLocalPool({
    endpoint: config.LOCAL_POOL_URL,
    region: config.AWS_REGION,
    mfaMode: config.MFA_MODE,
  });
  const issuer = `${config.LOCAL_POOL_ISSUER_BASE.replace(/\/$/, '')}/${userPoolId}`;
  const lines = [
    `USER_POOL_ID=${userPoolId}`,
    `USER_POOL_CLIENT_ID=${clientId}`,
    `TOKEN_ISSUER=${issuer}`,
    `JWKS_URL=${issuer}/.well-known/jwks.json`,
  ];
  mkdirSync(path.dirname(config.POOL_ENV_FILE), { recursive: true });
  const temporary = `${config.POOL_ENV_FILE}.tmp`;
  writeFileSync(temporary, `${lines.join('\n')}\n`);
  renameSync(temporary, config.POOL_ENV_FILE);
  logger.info({ userPoolId, clientId, file: config.POOL_ENV_FILE }, 'pool ready; ids written');
}

main().catch((error: unknown) => {
  process.stderr.write(`bootstrap failed: ${String(error)}\n`);
  process.exit(1);
});
