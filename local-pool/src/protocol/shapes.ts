import { z } from 'zod';

/** Zod pieces for Cognito's request members, with Cognito's constraints. */
export const userPoolId = z
  .string()
  .max(55)
  .regex(
    /^[\w-]+_[0-9a-zA-Z]+$/,
    'Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+',
  );
export const clientId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w+]+$/, 'Member must satisfy regular expression pattern: [\\w+]+');
export const username = z
  .string()
  .min(1, 'Member must have length greater than or equal to 1')
  .max(128, 'Member must have length less than or equal to 128');
export const password = z.string().max(256, 'Member must have length less than or equal to 256');
export const token = z.string().min(1).max(4096);
export const secretHash = z.string().min(1).max(128).optional();
/** A challenge session (InitiateAuth, AssociateSoftwareToken, VerifySoftwareToken answers). */
export const session = z.string().min(20).max(2048);
export const stringMap = z.record(z.string(), z.string()).optional();
export const attributes = z
  .array(z.object({ Name: z.string().min(1).max(32), Value: z.string().max(2048).optional() }))
  .optional();
export const groupName = z.string().min(1).max(128);
export const limit = (max: number) =>
  z
    .number()
    .int()
    .min(0)
    .max(max, `Member must have value less than or equal to ${max}`)
    .optional();
export const nextToken = z.string().min(1).max(131072).optional();
