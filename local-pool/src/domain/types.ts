import type { PasswordPolicy } from '@authstack/shared';

export type UserStatus =
  | 'UNCONFIRMED'
  | 'CONFIRMED'
  | 'FORCE_CHANGE_PASSWORD'
  | 'RESET_REQUIRED'
  | 'EXTERNAL_PROVIDER'
  | 'ARCHIVED'
  | 'UNKNOWN';

export type PreventUserExistenceErrors = 'ENABLED' | 'LEGACY';
/** A pool's MfaConfiguration: OFF, ON (every user must complete MFA) or OPTIONAL (per user). */
export type UserPoolMfa = 'OFF' | 'ON' | 'OPTIONAL';
export type TimeUnit = 'seconds' | 'minutes' | 'hours' | 'days';

/** A user pool's settings, kept in Cognito's own field names so Describe* can return them as-is. */
export interface PoolSettings {
  Policies: {
    PasswordPolicy: PasswordPolicy & { TemporaryPasswordValidityDays: number };
  };
  LambdaConfig: Record<string, string>;
  UsernameAttributes?: string[];
  AliasAttributes?: string[];
  AutoVerifiedAttributes?: string[];
  UsernameConfiguration: { CaseSensitive: boolean };
  /** Names of the pool's custom attributes, without the `custom:` prefix. */
  CustomAttributes: string[];
  AdminCreateUserConfig: { AllowAdminCreateUserOnly: boolean };
  DeletionProtection: 'ACTIVE' | 'INACTIVE';
  UserPoolTags?: Record<string, string>;
  /** Absent in pools stored before MFA support: read as OFF. */
  MfaConfiguration?: UserPoolMfa;
  /** Whether users may set up TOTP (SetUserPoolMfaConfig); absent = not enabled. */
  SoftwareTokenMfaConfiguration?: { Enabled: boolean };
}

export interface PoolRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  settings: PoolSettings;
}

export interface ClientSettings {
  ExplicitAuthFlows: string[];
  PreventUserExistenceErrors: PreventUserExistenceErrors;
  EnableTokenRevocation: boolean;
  RefreshTokenValidity: number;
  AccessTokenValidity?: number;
  IdTokenValidity?: number;
  TokenValidityUnits?: { AccessToken?: TimeUnit; IdToken?: TimeUnit; RefreshToken?: TimeUnit };
  AuthSessionValidity: number;
  ReadAttributes?: string[];
  WriteAttributes?: string[];
}

export interface ClientRecord {
  id: string;
  poolId: string;
  name: string;
  secret: string | null;
  createdAt: number;
  updatedAt: number;
  settings: ClientSettings;
}

export interface UserRecord {
  id: number;
  poolId: string;
  username: string;
  sub: string;
  status: UserStatus;
  enabled: boolean;
  passwordHash: string | null;
  /** Attribute name → value, as Cognito stores them (strings; `email_verified` is "true"/"false"). */
  attributes: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  temporaryPasswordExpiresAt: number | null;
}

export interface GroupRecord {
  poolId: string;
  name: string;
  description: string | null;
  precedence: number | null;
  roleArn: string | null;
  createdAt: number;
  updatedAt: number;
}

export type CodeKind = 'signup' | 'forgot-password' | 'verify-email';
export type MessageKind = CodeKind | 'invitation';

export interface OutboxMessage {
  to: string;
  kind: MessageKind;
  code: string;
  createdAt: string;
}

export interface RefreshTokenRecord {
  userId: number;
  clientId: string;
  originJti: string;
  authTime: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface SessionRecord {
  userId: number;
  clientId: string;
  challenge: string;
  expiresAt: number;
}

/** A stored challenge session; `usedAt` is set once it has been answered. */
export interface StoredSession extends SessionRecord {
  usedAt: number | null;
}

/**
 * A user's TOTP authenticator. `secret` is the verified one that sign-ins check;
 * `pendingSecret` was handed out by AssociateSoftwareToken and replaces it once
 * VerifySoftwareToken accepts a code for it. Secrets are base32 and never leave the store
 * except in AssociateSoftwareToken's answer.
 */
export interface SoftwareTokenRecord {
  userId: number;
  secret: string | null;
  friendlyDeviceName: string | null;
  pendingSecret: string | null;
  enabled: boolean;
  preferred: boolean;
  /** The time step of the last code accepted for `secret`: no code of that step or earlier is taken again. */
  lastUsedStep: number | null;
  updatedAt: number;
}
