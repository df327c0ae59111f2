import type { z } from 'zod';
import type { Administration } from '../domain/administration';
import type { MultiFactor } from '../domain/multi-factor';
import type { ApiRouter } from '../http/api-router';
import { ListUsersQuery, UserGroupPath, UserListResponse, UserPath } from '../http/schemas';

const REVOKES = 'Every token of the user issued before is then refused by every resource-server.';

/** Administration for members of the admin group; users are named by email in the path. */
export function registerAdminRoutes(
  api: ApiRouter,
  { administration, multiFactor }: { administration: Administration; multiFactor: MultiFactor },
): void {
  api.route({
    method: 'get',
    path: '/admin/users',
    operationId: 'listUsers',
    summary: 'List users, a page at a time; pass the nextToken of a page to get the next.',
    access: 'admin',
    query: ListUsersQuery,
    responses: { 200: { description: 'A page of users.', schema: UserListResponse } },
    async handle({ query }, res) {
      const page: z.input<typeof UserListResponse> = await administration.listUsers(query);
      res.status(200).json(page);
    },
  });

  api.route({
    method: 'put',
    path: '/admin/users/:email/groups/:group',
    operationId: 'addUserToGroup',
    summary: 'Add the user to the group.',
    access: 'admin',
    params: UserGroupPath,
    responses: { 204: { description: 'The user is in the group.' } },
    errors: { 404: ['user_not_found', 'group_not_found'] },
    async handle({ params }, res) {
      await administration.addToGroup(params.email, params.group);
      res.status(204).end();
    },
  });

  api.route({
    method: 'delete',
    path: '/admin/users/:email/groups/:group',
    operationId: 'removeUserFromGroup',
    summary:
      'Remove the user from the group. Tokens issued before no longer count as membership at any resource-server.',
    access: 'admin',
    params: UserGroupPath,
    responses: { 204: { description: 'The user is not in the group.' } },
    errors: { 404: ['user_not_found', 'group_not_found'], 503: ['revocation_unavailable'] },
    async handle({ params }, res) {
      await administration.removeFromGroup(params.email, params.group);
      res.status(204).end();
    },
  });

  api.route({
    method: 'post',
    path: '/admin/users/:email/signout',
    operationId: 'signOutUser',
    summary: `Sign the user out everywhere: every refresh token is revoked. ${REVOKES}`,
    access: 'admin',
    params: UserPath,
    responses: { 204: { description: 'Signed out.' } },
    errors: { 404: ['user_not_found'], 503: ['revocation_unavailable'] },
    async handle({ params }, res) {
      await administration.signOut(params.email);
      res.status(204).end();
    },
  });

  for (const action of ['disable', 'enable'] as const) {
    const disable = action === 'disable';
    api.route({
      method: 'post',
      path: `/admin/users/:email/${action}`,
      operationId: `${action}User`,
      summary: disable
        ? `Disable the user: sign-in is refused until enabled again. ${REVOKES}`
        : 'Enable a disabled user.',
      access: 'admin',
      params: UserPath,
      responses: { 204: { description: disable ? 'Disabled.' : 'Enabled.' } },
      errors: disable
        ? { 404: ['user_not_found'], 503: ['revocation_unavailable'] }
        : { 404: ['user_not_found'] },
      async handle({ params }, res) {
        await administration.setEnabled(params.email, !disable);
        res.status(204).end();
      },
    });
  }

  api.route({
    method: 'delete',
    path: '/admin/users/:email',
    operationId: 'deleteUser',
    summary: `Delete the user from the pool. ${REVOKES}`,
    access: 'admin',
    params: UserPath,
    responses: { 204: { description: 'Deleted.' } },
    errors: { 404: ['user_not_found'], 503: ['revocation_unavailable'] },
    async handle({ params }, res) {
      await administration.deleteUser(params.email);
      res.status(204).end();
    },
  });

  api.route({
    method: 'post',
    path: '/admin/users/:email/password/reset',
    operationId: 'resetUserPassword',
    summary: `Reset the user's password: it stops working and a code to choose a new one is emailed (then POST /user/password/reset), and every refresh token is revoked. ${REVOKES}`,
    access: 'admin',
    params: UserPath,
    responses: { 204: { description: 'Password reset; code sent.' } },
    errors: {
      400: ['request_refused'],
      404: ['user_not_found'],
      503: ['revocation_unavailable'],
    },
    async handle({ params }, res) {
      await administration.resetPassword(params.email);
      res.status(204).end();
    },
  });

  api.route({
    method: 'delete',
    path: '/admin/users/:email/mfa',
    operationId: 'resetUserMfa',
    summary:
      "Reset the user's MFA: TOTP is turned off (their next sign-in needs the password only) and they may enrol a new authenticator. While the pool requires MFA (MfaConfiguration=ON) Cognito cannot remove an authenticator: 409 mfa_required, nothing changed.",
    access: 'admin',
    params: UserPath,
    responses: { 204: { description: 'MFA is off for the user.' } },
    errors: { 404: ['user_not_found'], 409: ['mfa_required'] },
    async handle({ params }, res) {
      await multiFactor.adminReset(params.email);
      res.status(204).end();
    },
  });
}
