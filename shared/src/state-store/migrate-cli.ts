import { z } from 'zod';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { migrateStateStore } from './migrate';
import { STATE_DATABASE_URL_PATTERN } from './settings';

/**
 * `node shared/dist/state-store/migrate-cli.js`: brings the state store at
 * STATE_DATABASE_URL up to date. The servers do the same at start; this is for operators
 * and for tests that use the store without a server.
 */
const config = loadConfig(
  z.object({
    STATE_DATABASE_URL: z.string().regex(STATE_DATABASE_URL_PATTERN, 'a postgres:// URL'),
  }),
);
const logger = createLogger({ name: 'state-store-migrate', level: 'info' });
migrateStateStore(config.STATE_DATABASE_URL, logger).then(
  (applied) => {
    logger.info({ applied }, 'state store schema up to date');
  },
  (error: unknown) => {
    logger.fatal({ err: error }, 'state store migration failed');
    process.exitCode = 1;
  },
);
