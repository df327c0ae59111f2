import type { z } from 'zod';
import type { UserPool } from '../domain/user-pool';
import type { ApiRouter } from '../http/api-router';
import { ListUsersQuery, UserGroupPath, UserListResponse, UserPath } from '../http/schemas';

/** Administration for members of the admin group; users are named by email in the path. */
export function registerAdminRoutes(api: ApiRouter, { pool }: { pool: UserPool }): void {
  api.route({
    method: 'get',
    path: '/admin/users',
    operationId: 'listUsers',
    summary: 'List users, a page at a time; pass the nextToken of a page to get the next.',
    access: 'admin',
    query: ListUsersQuery,
    responses: { 200: { description: 'A page of users.', schema: UserListResponse } },
    async handle({ query }, res) {
      const page: z.input<typeof UserListResponse> = await pool.listUsers(query);
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
      await pool.addToGroup(params.email, params.group);
      res.status(204).end();
    },
  });

  api.route({
    method: 'delete',
    path: '/admin/users/:email/groups/:group',
    operationId: 'removeUserFromGroup',
    summary: 'Remove the user from the group.',
    access: 'admin',
    params: UserGroupPath,
    responses: { 204: { description: 'The user is not in the group.' } },
    errors: { 404: ['user_not_found', 'group_not_found'] },
    async handle({ params }, res) {
      await pool.removeFromGroup(params.email, params.group);
      res.status(204).end();
    },
  });

  api.route({
    method: 'post',
    path: '/admin/users/:email/signout',
    operationId: 'signOutUser',
    summary: 'Sign the user out everywhere: every refresh token is revoked.',
    access: 'admin',
    params: UserPath,
    responses: { 204: { description: 'Signed out.' } },
    errors: { 404: ['user_not_found'] },
    async handle({ params }, res) {
      await pool.signOutEverywhere(params.email);
      res.status(204).end();
    },
  });

  for (const action of ['disable', 'enable'] as const) {
    api.route({
      method: 'post',
      path: `/admin/users/:email/${action}`,
      operationId: `${action}User`,
      summary:
        action === 'disable'
          ? 'Disable the user: sign-in is refused until enabled again.'
          : 'Enable a disabled user.',
      access: 'admin',
      params: UserPath,
      responses: { 204: { description: action === 'disable' ? 'Disabled.' : 'Enabled.' } },
      errors: { 404: ['user_not_found'] },
      async handle({ params }, res) {
        await pool.setEnabled(params.email, action === 'enable');
        res.status(204).end();
      },
    });
  }
}
