import type { StackConfig } from './config';
import { DEMO_ADMIN } from './bootstrap';
import { DEMO_LEGACY_USERS } from './demo-users';
import type { StackReady } from './local-stack';

/** The plain-text summary printed once the stack is up: where things are and what to try. */
export function readyBanner(config: StackConfig, ready: StackReady): string {
  const { endpoints, userPoolId, clientId } = ready;
  const api = (base: string): string => `${base}/${config.stage}/api`;
  const users = [...DEMO_LEGACY_USERS, DEMO_ADMIN];
  const emailWidth = Math.max(...users.map((user) => user.email.length)) + 2;
  const passwordWidth = Math.max(...users.map((user) => user.password.length)) + 2;
  const signin = `${api(endpoints.authServer)}/user/signin`;
  return [
    '',
    `authstack is up. State: ${config.stateDir} (delete it to start over). Ctrl-C stops everything.`,
    '',
    `  account pages    ${endpoints.authServer}/${config.stage}/account   (open in a browser: sign up, sign in, MFA, sign out)`,
    `  auth-server      ${api(endpoints.authServer)}   (GET ${endpoints.authServer}/healthz)`,
    `  resource-server  ${api(endpoints.resourceServer)}   (GET ${endpoints.resourceServer}/healthz)`,
    `  local user pool  ${endpoints.localPool}   pool ${userPoolId}, app client ${clientId}`,
    `                   codes that would be emailed: ${endpoints.localPool}/_local/messages?to=<email>`,
    `  trigger          ${endpoints.trigger}   (Lambda Invoke API, function user-migration)`,
    `  legacy Postgres  ${endpoints.legacyDb}`,
    `  state store      ${endpoints.stateDb}   (Postgres: revocations, rate limits)`,
    '',
    'Demo users:',
    ...users.map(
      (user) =>
        `  ${user.email.padEnd(emailWidth)}${user.password.padEnd(passwordWidth)}${user.note}`,
    ),
    '',
    'Try (a legacy user signs in for the first time and is migrated into the pool):',
    `  TOKEN=$(curl -s -X POST ${signin} -H 'content-type: application/json' \\`,
    `    -d '{"email":"${DEMO_LEGACY_USERS[0]?.email ?? ''}","password":"${DEMO_LEGACY_USERS[0]?.password ?? ''}"}' \\`,
    `    | node -pe 'JSON.parse(require("fs").readFileSync(0)).idToken')`,
    `  curl -s ${api(endpoints.resourceServer)}/users/me -H "authorization: Bearer $TOKEN"`,
    '',
  ].join('\n');
}
