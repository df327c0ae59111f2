import { z } from 'zod';
import { env } from '@authstack/shared';
import { STATE_DATABASE_URL_PATTERN } from '@authstack/shared/state-store';

/**
 * The revocation-events Lambda's environment. In AWS the store is reached through
 * `STATE_DATABASE_SECRET_ARN` (the credentials RDS generated) over TLS verified against
 * `STATE_DATABASE_CA_FILE`; `STATE_DATABASE_URL` is for local runs and tests.
 */
export const revocationEventsConfigSchema = z
  .object({
    USER_POOL_ID: z
      .string()
      .regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'a user pool id such as us-east-1_Ab12'),
    STATE_DATABASE_URL: z
      .string()
      .regex(STATE_DATABASE_URL_PATTERN, 'a postgres:// URL')
      .optional(),
    STATE_DATABASE_SECRET_ARN: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:/, 'must be a Secrets Manager secret ARN')
      .optional(),
    STATE_DATABASE_CA_FILE: z.string().startsWith('/', 'an absolute path').optional(),
    /** Deadline of connecting to the store and of each query, and of each AWS call. */
    STATE_DATABASE_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(3_000),
    /** The pool's longest ID/access token lifetime: how long a revocation is kept. */
    MAX_TOKEN_LIFETIME_SECONDS: z.coerce.number().int().min(300).max(86_400).default(86_400),
    LOG_LEVEL: env.logLevel(),
  })
  .superRefine((config, context) => {
    if (!config.STATE_DATABASE_URL && !config.STATE_DATABASE_SECRET_ARN)
      context.addIssue({
        code: 'custom',
        path: ['STATE_DATABASE_SECRET_ARN'],
        message: 'required (or set STATE_DATABASE_URL)',
      });
  });

export type RevocationEventsConfig = z.infer<typeof revocationEventsConfigSchema>;
