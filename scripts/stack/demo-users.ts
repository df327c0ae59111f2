import { DEMO_LEGACY_USERS as SEEDED } from '@authstack/trigger/local/legacy-users';

export interface DemoUser {
  email: string;
  password: string;
  note: string;
}

/** The legacy users of the contract (the first three the trigger's local Postgres is seeded with). */
export const DEMO_LEGACY_USERS: readonly DemoUser[] = SEEDED.slice(0, 3).map((user) => ({
  email: user.email,
  password: user.password,
  note: `legacy (${user.hash}), "${user.name}": migrated into the pool on first sign-in`,
}));
