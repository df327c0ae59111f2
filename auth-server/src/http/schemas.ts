import { normalizeEmail } from '@authstack/shared';
import { z } from 'zod';

/**
 * The request and response shapes of the API. The same schemas validate the
 * requests and generate `openapi.json`; `id` names them there.
 */

/** The named schemas that become `components.schemas` in openapi.json. */
export const apiSchemas = z.registry<{ id: string }>();

const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;
/** No lone surrogate: in `u` mode a surrogate pair is one code point, never Cs. */
const WELL_FORMED_UNICODE = /^[^\p{Cs}]*$/u;

/**
 * The longest email the pool takes: the email is the Cognito username (SignUp,
 * AdminCreateUser, AdminGetUser…: 1 to 128 characters), shorter than the email attribute's
 * 2048 and than RFC 5321's 254.
 */
const EMAIL_MAX_LENGTH = 128;

export const Email = z
  .string()
  .overwrite(normalizeEmail)
  .max(EMAIL_MAX_LENGTH)
  .check(z.email({ error: 'Invalid email address' }));

/**
 * A password as typed at sign-in; new passwords are checked against the pool's policy as
 * well. It must be well-formed UTF-16: a lone surrogate has no UTF-8 form and becomes U+FFFD
 * where the password is encoded (for hashing), so two different passwords would sign in alike.
 */
const Password = z
  .string()
  .min(1)
  .max(256)
  .regex(WELL_FORMED_UNICODE, 'Must be well-formed Unicode (no lone surrogate)');
const Code = z.string().trim().min(1).max(64).regex(/^\S+$/, 'Invalid code');
const Name = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(NO_CONTROL_CHARACTERS, 'Must not contain control characters');
const OpaqueToken = z.string().min(1).max(8192);
/** The code an authenticator app shows: six digits (blanks between them are dropped). */
const TotpCode = z
  .string()
  .max(16)
  .overwrite((value) => value.replace(/\s+/g, ''))
  .regex(/^\d{6}$/, 'Six digits')
  .meta({ description: 'The six-digit code the authenticator app shows now.' });
const DeviceName = Name.max(64).optional().meta({
  description: 'A name for the authenticator (e.g. "Ada’s phone"), kept by the user pool.',
});
/** The session of a sign-in challenge: opaque, valid a few minutes (the app client's AuthSessionValidity). */
const ChallengeSession = OpaqueToken.meta({
  description: 'The `session` of the previous answer in this sign-in.',
});
const GroupName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u, 'Invalid group name');

export const SignUpRequest = z
  .strictObject({ email: Email, name: Name, password: Password })
  .register(apiSchemas, { id: 'SignUpRequest' });
export const ConfirmSignUpRequest = z
  .strictObject({ email: Email, code: Code })
  .register(apiSchemas, { id: 'ConfirmSignUpRequest' });
export const EmailOnlyRequest = z
  .strictObject({ email: Email })
  .register(apiSchemas, { id: 'EmailOnlyRequest' });
export const SignInRequest = z
  .strictObject({ email: Email, password: Password })
  .register(apiSchemas, { id: 'SignInRequest' });
/** A refresh token, and whose it is (the email) where the app client's secret needs it. */
const refreshTokenFields = {
  refreshToken: OpaqueToken,
  email: Email.optional().meta({
    description: 'Required only when the app client has a secret (the hash names the user).',
  }),
};
export const RefreshRequest = z
  .strictObject(refreshTokenFields)
  .register(apiSchemas, { id: 'RefreshRequest' });
export const SignOutDeviceRequest = z
  .strictObject(refreshTokenFields)
  .register(apiSchemas, { id: 'SignOutDeviceRequest' });
export const NewPasswordRequest = z
  .strictObject({ email: Email, session: OpaqueToken, newPassword: Password })
  .register(apiSchemas, { id: 'NewPasswordRequest' });
export const ResetPasswordRequest = z
  .strictObject({ email: Email, code: Code, newPassword: Password })
  .register(apiSchemas, { id: 'ResetPasswordRequest' });
export const TotpSignInRequest = z
  .strictObject({ email: Email, session: ChallengeSession, code: TotpCode })
  .register(apiSchemas, { id: 'TotpSignInRequest' });
export const TotpEnrolmentSignInRequest = z
  .strictObject({
    email: Email,
    session: ChallengeSession,
    code: TotpCode,
    deviceName: DeviceName,
  })
  .register(apiSchemas, { id: 'TotpEnrolmentSignInRequest' });
export const ConfirmEnrolmentRequest = z
  .strictObject({ code: TotpCode, deviceName: DeviceName })
  .register(apiSchemas, { id: 'ConfirmEnrolmentRequest' });
export const TurnOffMfaRequest = z
  .strictObject({ password: Password })
  .register(apiSchemas, { id: 'TurnOffMfaRequest' });
export const VerifyEmailRequest = z
  .strictObject({ code: Code })
  .register(apiSchemas, { id: 'VerifyEmailRequest' });
export const ChangePasswordRequest = z
  .strictObject({ previousPassword: Password, proposedPassword: Password })
  .register(apiSchemas, { id: 'ChangePasswordRequest' });

export const ListUsersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(60).default(20),
  nextToken: z.string().min(1).max(4096).optional().meta({
    description: 'The `nextToken` of the previous page (a page cursor, not a credential).',
  }),
});
export const UserPath = z.strictObject({ email: Email });
export const UserGroupPath = z.strictObject({ email: Email, group: GroupName });

export const TokensResponse = z
  .object({
    idToken: z.string(),
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().meta({ description: 'Seconds until the access token expires.' }),
    tokenType: z.literal('Bearer'),
  })
  .register(apiSchemas, { id: 'Tokens' });
export const RefreshedTokensResponse = TokensResponse.omit({ refreshToken: true }).register(
  apiSchemas,
  { id: 'RefreshedTokens' },
);
const CodeDelivery = z
  .object({ medium: z.string(), destination: z.string() })
  .nullable()
  .meta({ description: 'Where the code was sent, masked.' });
export const AuthenticatorEnrolmentResponse = z
  .object({
    secret: z.string().meta({
      description: 'The TOTP secret (base32), for an authenticator app that cannot scan.',
    }),
    otpauthUri: z.string().meta({
      description: 'otpauth://totp/<issuer>:<email>?secret=…&issuer=…: SHA-1, 6 digits, 30 s.',
    }),
    qrCode: z.string().meta({
      description: 'The otpauth URI as a QR code: data:image/svg+xml;base64,… (for an <img src>).',
    }),
  })
  .register(apiSchemas, { id: 'AuthenticatorEnrolment' });
export const TotpChallengeResponse = z
  .object({ challenge: z.literal('totp_required'), session: z.string() })
  .meta({
    description: 'MFA is on: POST /user/signin/totp with the email, this session and a code.',
  })
  .register(apiSchemas, { id: 'TotpChallenge' });
export const TotpEnrolmentChallengeResponse = AuthenticatorEnrolmentResponse.extend({
  challenge: z.literal('totp_enrolment_required'),
  session: z.string(),
})
  .meta({
    description:
      'The pool requires MFA and the user has no authenticator: add this one, then POST /user/signin/totp/enrolment with the email, this session and its first code.',
  })
  .register(apiSchemas, { id: 'TotpEnrolmentChallenge' });
export const SignInResponse = z
  .union([TokensResponse, TotpChallengeResponse, TotpEnrolmentChallengeResponse])
  .register(apiSchemas, { id: 'SignInResponse' });
export const SignUpResponse = z
  .union([
    TokensResponse.extend({ sub: z.string(), confirmed: z.literal(true) }),
    TotpChallengeResponse.extend({ sub: z.string(), confirmed: z.literal(true) }),
    TotpEnrolmentChallengeResponse.extend({ sub: z.string(), confirmed: z.literal(true) }),
    z.object({ sub: z.string(), confirmed: z.literal(false), codeDelivery: CodeDelivery }),
  ])
  .register(apiSchemas, { id: 'SignUpResponse' });
export const CodeSentResponse = z
  .object({ message: z.string(), codeDelivery: CodeDelivery })
  .register(apiSchemas, { id: 'CodeSent' });
export const ProfileResponse = z
  .object({
    sub: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    emailVerified: z.boolean().meta({
      description:
        'Whether the user proved owning the email (a code sent to it); false after an auto-mode sign-up until POST /user/email/verify.',
    }),
    mfaEnabled: z
      .boolean()
      .meta({ description: 'Whether sign-in asks for an authenticator code.' }),
    groups: z.array(z.string()),
  })
  .register(apiSchemas, { id: 'Profile' });
export const AcceptedResponse = z
  .object({ message: z.string() })
  .register(apiSchemas, { id: 'Accepted' });
export const UserListResponse = z
  .object({
    users: z.array(
      z.object({
        username: z.string(),
        sub: z.string(),
        email: z.string(),
        name: z.string().nullable(),
        emailVerified: z.boolean(),
        status: z.string(),
        enabled: z.boolean(),
        createdAt: z.string().nullable(),
      }),
    ),
    nextToken: z.string().nullable(),
  })
  .register(apiSchemas, { id: 'UserList' });

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable snake_case code to branch on.' }),
      message: z.string(),
      requestId: z.string(),
      session: z
        .string()
        .optional()
        .meta({ description: 'Only with `new_password_required`: pass it to /user/password/new.' }),
    }),
  })
  .register(apiSchemas, { id: 'Error' });
