import { z } from 'zod';

/**
 * The user-pool administration calls that end a user's sessions when they are made outside
 * the auth-server (the AWS console, the CLI, another tool). The CDK rule matches exactly these.
 */
export const REVOCATION_EVENT_NAMES = [
  'AdminUserGlobalSignOut',
  'AdminDisableUser',
  'AdminDeleteUser',
  'AdminRemoveUserFromGroup',
] as const;

export type RevocationEventName = (typeof REVOCATION_EVENT_NAMES)[number];

/** How EventBridge labels a Cognito user-pool API call that CloudTrail recorded. */
export const COGNITO_CLOUDTRAIL_EVENT = {
  source: 'aws.cognito-idp',
  detailType: 'AWS API Call via CloudTrail',
  eventSource: 'cognito-idp.amazonaws.com',
} as const;

const requestParameters = z.object({
  userPoolId: z.string().min(1),
  username: z.string().min(1),
  groupName: z.string().min(1).optional(),
});

/**
 * The part of an EventBridge "AWS API Call via CloudTrail" event this function reads. A
 * successful call has no `errorCode`; `eventTime` is when Cognito served the call (seconds).
 */
const cloudTrailEventSchema = z.object({
  source: z.literal(COGNITO_CLOUDTRAIL_EVENT.source),
  'detail-type': z.literal(COGNITO_CLOUDTRAIL_EVENT.detailType),
  detail: z.object({
    eventSource: z.literal(COGNITO_CLOUDTRAIL_EVENT.eventSource),
    eventName: z.enum(REVOCATION_EVENT_NAMES),
    eventTime: z.iso.datetime({ offset: true }),
    eventID: z.string().optional(),
    errorCode: z.string().optional(),
    requestParameters,
  }),
});

/** One administration call, as far as a revocation needs it. */
export interface AdministrationCall {
  eventName: RevocationEventName;
  eventId: string | undefined;
  /** When Cognito served the call: the revocation covers tokens issued up to then. */
  at: Date;
  /** The call failed (`AccessDenied`, `UserNotFoundException`, …): nothing changed in the pool. */
  errorCode: string | undefined;
  userPoolId: string;
  /** The `Username` the caller passed: the user's username (here their sub) or an alias (email). */
  username: string;
  /** The group of `AdminRemoveUserFromGroup`. */
  groupName: string | undefined;
}

/** The call an event records, or undefined when it is not a well-formed event of that kind. */
export function parseAdministrationCall(event: unknown): AdministrationCall | undefined {
  const parsed = cloudTrailEventSchema.safeParse(event);
  if (!parsed.success) return undefined;
  const { detail } = parsed.data;
  if (detail.eventName === 'AdminRemoveUserFromGroup' && !detail.requestParameters.groupName)
    return undefined;
  return {
    eventName: detail.eventName,
    eventId: detail.eventID,
    at: new Date(detail.eventTime),
    errorCode: detail.errorCode,
    userPoolId: detail.requestParameters.userPoolId,
    username: detail.requestParameters.username,
    groupName: detail.requestParameters.groupName,
  };
}
