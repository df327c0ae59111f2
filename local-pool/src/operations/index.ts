import type { Operation } from '../protocol/operation';
import { adminUserOperations } from './admin-users';
import { authOperations } from './auth';
import { groupOperations } from './groups';
import { importJobOperations } from './import-jobs';
import { mfaOperations } from './mfa';
import { poolOperations } from './pools';
import { selfServiceOperations } from './self-service';
import { signUpOperations } from './sign-up';

/** Every Cognito operation the local pool serves, by its X-Amz-Target name. */
export const operations: Readonly<Record<string, Operation>> = {
  ...poolOperations,
  ...signUpOperations,
  ...authOperations,
  ...selfServiceOperations,
  ...adminUserOperations,
  ...groupOperations,
  ...mfaOperations,
  ...importJobOperations,
};
