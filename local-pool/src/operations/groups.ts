import { z } from 'zod';
import { requirePool } from '../domain/pools';
import type { PoolContext } from '../domain/context';
import type { GroupRecord, PoolRecord } from '../domain/types';
import { requireUser } from '../domain/users';
import { groupExists, resourceNotFound } from '../protocol/errors';
import { operation } from '../protocol/operation';
import { groupName, limit, nextToken, userPoolId, username } from '../protocol/shapes';
import { decodePageToken, page } from './paging';

function toGroupType(group: GroupRecord) {
  return {
    GroupName: group.name,
    UserPoolId: group.poolId,
    ...(group.description !== null ? { Description: group.description } : {}),
    ...(group.roleArn !== null ? { RoleArn: group.roleArn } : {}),
    ...(group.precedence !== null ? { Precedence: group.precedence } : {}),
    LastModifiedDate: group.updatedAt / 1000,
    CreationDate: group.createdAt / 1000,
  };
}

function requireGroup(context: PoolContext, pool: PoolRecord, name: string): GroupRecord {
  const group = context.store.getGroup(pool.id, name);
  if (!group) throw resourceNotFound('Group not found.');
  return group;
}

const createGroup = operation(
  'iam',
  z.object({
    UserPoolId: userPoolId,
    GroupName: groupName,
    Description: z.string().max(2048).optional(),
    RoleArn: z.string().min(20).max(2048).optional(),
    Precedence: z.number().int().min(0).optional(),
  }),
  (context, request) =>
    context.store.transaction(() => {
      const pool = requirePool(context, request.UserPoolId);
      const now = context.clock();
      const group: GroupRecord = {
        poolId: pool.id,
        name: request.GroupName,
        description: request.Description ?? null,
        precedence: request.Precedence ?? null,
        roleArn: request.RoleArn ?? null,
        createdAt: now,
        updatedAt: now,
      };
      if (!context.store.insertGroup(group)) {
        throw groupExists(`A group with the name ${request.GroupName} already exists.`);
      }
      return { Group: toGroupType(group) };
    }),
);

const getGroup = operation(
  'iam',
  z.object({ UserPoolId: userPoolId, GroupName: groupName }),
  (context, request) => {
    const pool = requirePool(context, request.UserPoolId);
    return { Group: toGroupType(requireGroup(context, pool, request.GroupName)) };
  },
);

const listGroups = operation(
  'iam',
  z.object({ UserPoolId: userPoolId, Limit: limit(60), NextToken: nextToken }),
  (context, request) => {
    const pool = requirePool(context, request.UserPoolId);
    const max = request.Limit || 60;
    const after = String(decodePageToken(request.NextToken) ?? '');
    const { shown, next } = page(
      context.store.listGroups(pool.id, after, max + 1),
      max,
      (g) => g.name,
    );
    return { Groups: shown.map(toGroupType), ...next };
  },
);

const membership = { UserPoolId: userPoolId, Username: username, GroupName: groupName };

const adminAddUserToGroup = operation('iam', z.object(membership), (context, request) => {
  context.store.transaction(() => {
    const pool = requirePool(context, request.UserPoolId);
    const user = requireUser(context, pool, request.Username);
    requireGroup(context, pool, request.GroupName);
    context.store.addMember(user, request.GroupName);
  });
  return {};
});

const adminRemoveUserFromGroup = operation('iam', z.object(membership), (context, request) => {
  context.store.transaction(() => {
    const pool = requirePool(context, request.UserPoolId);
    const user = requireUser(context, pool, request.Username);
    requireGroup(context, pool, request.GroupName);
    context.store.removeMember(user, request.GroupName);
  });
  return {};
});

const adminListGroupsForUser = operation(
  'iam',
  z.object({ UserPoolId: userPoolId, Username: username, Limit: limit(60), NextToken: nextToken }),
  (context, request) => {
    const pool = requirePool(context, request.UserPoolId);
    const user = requireUser(context, pool, request.Username);
    const max = request.Limit || 60;
    const after = String(decodePageToken(request.NextToken) ?? '');
    const { shown, next } = page(
      context.store.groupsOfUser(user.id, after, max + 1),
      max,
      (g) => g.name,
    );
    return { Groups: shown.map(toGroupType), ...next };
  },
);

export const groupOperations = {
  CreateGroup: createGroup,
  GetGroup: getGroup,
  ListGroups: listGroups,
  AdminAddUserToGroup: adminAddUserToGroup,
  AdminRemoveUserFromGroup: adminRemoveUserFromGroup,
  AdminListGroupsForUser: adminListGroupsForUser,
};
