import { CognitoIdentityProviderServiceException } from '@aws-sdk/client-cognito-identity-provider';
import { HttpError, LEGACY_STORE_UNAVAILABLE_MESSAGE } from '@authstack/shared';
import { InvalidSessionError, InvalidTokenError, MfaDisabledError } from '../domain/errors';

/** The calls the adapter makes, named for what they are for; the same exception can mean different things in each. */
export type PoolOperation =
  | 'describe'
  | 'createUser'
  | 'signUp'
  | 'confirmSignUp'
  | 'resendCode'
  | 'signIn'
  /** A password sign-in made only to check the password (turning MFA off). */
  | 'checkPassword'
  | 'completeNewPassword'
  /** RespondToAuthChallenge SOFTWARE_TOKEN_MFA (and the username lookup before it). */
  | 'totpChallenge'
  /** The MFA_SETUP challenge: AssociateSoftwareToken and VerifySoftwareToken with its session, then RespondToAuthChallenge. */
  | 'totpSetupChallenge'
  /** AssociateSoftwareToken with the signed-in user's access token. */
  | 'totpAssociate'
  /** VerifySoftwareToken with the signed-in user's access token. */
  | 'totpVerify'
  | 'mfaPreference'
  /** GetUserAttributeVerificationCode and VerifyUserAttribute for the email. */
  | 'emailVerification'
  | 'refresh'
  | 'getUser'
  | 'groupsOf'
  | 'globalSignOut'
  | 'revokeToken'
  | 'forgotPassword'
  | 'confirmForgotPassword'
  | 'changePassword'
  | 'listUsers'
  | 'adminUser'
  | 'adminGroup';

export interface ErrorRule {
  status: number;
  code: string;
  message: string;
  headers?: Readonly<Record<string, string>>;
  /**
   * Answers instead when the exception's message contains `marker`: how a trigger's own
   * error, which Cognito passes on inside its message, is told apart.
   */
  whenMessageHas?: { marker: string; rule: ErrorRule };
}

const rule = (
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): ErrorRule => ({ status, code, message, headers });

/** The rule that answers exactly as `error` does. */
const ruleOf = (error: HttpError): ErrorRule =>
  rule(error.status, error.code, error.message, { ...error.headers });

export const UPSTREAM_UNAVAILABLE = rule(
  503,
  'upstream_unavailable',
  'The user pool is unavailable; try again shortly.',
  { 'Retry-After': '1' },
);
const INTERNAL = rule(500, 'internal_error', 'Something went wrong on our side.');
const REQUEST_REFUSED = rule(400, 'request_refused', 'The user pool refused the request.');
/**
 * The UserMigration trigger could not check the person (legacy store down, slow or
 * answering nonsense): Cognito fails the call with UserLambdaValidationException
 * "UserMigration failed with error <LEGACY_STORE_UNAVAILABLE_MESSAGE>.". Retryable, and
 * never a wrong password, so never counted against the user.
 */
const LEGACY_STORE_UNAVAILABLE = rule(
  503,
  'upstream_unavailable',
  'The legacy user store is unavailable; try again shortly.',
  { 'Retry-After': '5' },
);
/** `otherwise`, unless the trigger's error says the legacy store cannot be reached. */
const unlessLegacyStoreUnavailable = (otherwise: ErrorRule): ErrorRule => ({
  ...otherwise,
  whenMessageHas: { marker: LEGACY_STORE_UNAVAILABLE_MESSAGE, rule: LEGACY_STORE_UNAVAILABLE },
});
const INVALID_CREDENTIALS = rule(401, 'invalid_credentials', 'Incorrect email or password.');
/** The very answer a malformed Authorization header gets (`bearerToken`). */
const INVALID_TOKEN = ruleOf(new InvalidTokenError());
const INVALID_REFRESH_TOKEN = rule(
  401,
  'invalid_refresh_token',
  'The refresh token is invalid, expired or revoked; sign in again.',
);
/** The very answer a session that cannot be one gets (`InvalidSessionError`). */
const INVALID_SESSION = ruleOf(new InvalidSessionError());
const INVALID_CODE = rule(400, 'invalid_code', 'The code is not valid for this email.');
const TOO_MANY_ATTEMPTS = rule(429, 'too_many_requests', 'Too many attempts; try again later.', {
  'Retry-After': '60',
});
const EMAIL_TAKEN = rule(409, 'email_taken', 'An account with this email already exists.');
const INVALID_TOTP_CODE = rule(
  400,
  'invalid_code',
  'The code is not valid: enter the current code of the authenticator app.',
);
/** Cognito's "Your software token has already been used once.": a code works once per 30 s step. */
const CODE_ALREADY_USED = rule(
  400,
  'code_already_used',
  'This code has already been used; wait for the authenticator app to show the next one.',
);
/** The very answer MFA_MODE=off gets (`MfaDisabledError`): here the pool has TOTP turned off. */
const MFA_DISABLED = ruleOf(new MfaDisabledError());
const ENROLMENT_NOT_STARTED = rule(
  409,
  'enrolment_not_started',
  'There is no authenticator enrolment to confirm: start one with POST /user/mfa/enrolment.',
);
const INCORRECT_PASSWORD = rule(400, 'incorrect_password', 'password: The password is incorrect.');
/** The MFA challenge's session, Cognito's way: unknown, expired, used up or of another user. */
const TOTP_SESSION_RULES = {
  NotAuthorizedException: INVALID_SESSION,
  UserNotFoundException: INVALID_SESSION,
  CodeMismatchException: INVALID_TOTP_CODE,
  EnableSoftwareTokenMFAException: INVALID_TOTP_CODE,
  ExpiredCodeException: CODE_ALREADY_USED,
};

/**
 * The one table from Cognito exception names to HTTP status, stable code and message.
 * `byOperation` holds the cases where an exception means something else for one call
 * (NotAuthorizedException is "wrong password" at sign-in, "bad token" elsewhere).
 * Exceptions missing from the table are answered 500 and logged: a gap to fill here.
 */
export const COGNITO_ERRORS: {
  default: Readonly<Record<string, ErrorRule>>;
  byOperation: Readonly<Partial<Record<PoolOperation, Readonly<Record<string, ErrorRule>>>>>;
} = {
  default: {
    NotAuthorizedException: INVALID_TOKEN,
    UserNotFoundException: rule(404, 'user_not_found', 'No user has this email.'),
    UsernameExistsException: EMAIL_TAKEN,
    AliasExistsException: EMAIL_TAKEN,
    InvalidPasswordException: rule(
      400,
      'weak_password',
      'The password does not meet the password policy.',
    ),
    PasswordHistoryPolicyViolationException: rule(
      400,
      'weak_password',
      'The password was used recently; choose another.',
    ),
    CodeMismatchException: INVALID_CODE,
    ExpiredCodeException: rule(400, 'expired_code', 'The code has expired; ask for a new one.'),
    UserNotConfirmedException: rule(
      403,
      'user_not_confirmed',
      'Confirm the email address with the code sent to it, then sign in.',
    ),
    PasswordResetRequiredException: rule(
      403,
      'password_reset_required',
      'The password must be reset: ask for a code with POST /user/password/forgot, then POST /user/password/reset.',
    ),
    LimitExceededException: TOO_MANY_ATTEMPTS,
    TooManyFailedAttemptsException: TOO_MANY_ATTEMPTS,
    CodeDeliveryFailureException: rule(
      502,
      'code_delivery_failed',
      'The code could not be sent; ask for a new one.',
    ),
    InvalidParameterException: REQUEST_REFUSED,
    UnsupportedUserStateException: rule(
      409,
      'unsupported_user_state',
      'The user is not in a state that allows this.',
    ),
    ForbiddenException: rule(403, 'forbidden', 'The request was refused.'),
    TooManyRequestsException: UPSTREAM_UNAVAILABLE,
    InternalErrorException: UPSTREAM_UNAVAILABLE,
    InternalServerException: UPSTREAM_UNAVAILABLE,
    UnexpectedLambdaException: UPSTREAM_UNAVAILABLE,
    InvalidLambdaResponseException: UPSTREAM_UNAVAILABLE,
    UserLambdaValidationException: REQUEST_REFUSED,
    ResourceNotFoundException: INTERNAL,
    AccessDeniedException: INTERNAL,
    InvalidUserPoolConfigurationException: INTERNAL,
  },
  byOperation: {
    /**
     * The PreSignUp trigger refusing an address (it belongs to a legacy account that has
     * not migrated yet) answers exactly as an address already in the pool does, so the
     * refusal tells nothing more. Any refusal of the trigger answers so.
     */
    signUp: { UserLambdaValidationException: EMAIL_TAKEN },
    createUser: { UserLambdaValidationException: EMAIL_TAKEN },
    signIn: {
      NotAuthorizedException: INVALID_CREDENTIALS,
      UserNotFoundException: INVALID_CREDENTIALS,
      UserLambdaValidationException: unlessLegacyStoreUnavailable(INVALID_CREDENTIALS),
    },
    checkPassword: {
      NotAuthorizedException: INCORRECT_PASSWORD,
      UserNotFoundException: INCORRECT_PASSWORD,
      UserLambdaValidationException: unlessLegacyStoreUnavailable(INCORRECT_PASSWORD),
    },
    /** The UserMigration trigger fires here too (a user not yet in the pool). */
    forgotPassword: {
      UserLambdaValidationException: unlessLegacyStoreUnavailable(REQUEST_REFUSED),
    },
    totpChallenge: { ...TOTP_SESSION_RULES, SoftwareTokenMFANotFoundException: INVALID_SESSION },
    totpSetupChallenge: { ...TOTP_SESSION_RULES, SoftwareTokenMFANotFoundException: MFA_DISABLED },
    totpAssociate: { SoftwareTokenMFANotFoundException: MFA_DISABLED },
    totpVerify: {
      CodeMismatchException: INVALID_TOTP_CODE,
      EnableSoftwareTokenMFAException: INVALID_TOTP_CODE,
      ExpiredCodeException: CODE_ALREADY_USED,
      SoftwareTokenMFANotFoundException: ENROLMENT_NOT_STARTED,
    },
    mfaPreference: { InvalidParameterException: ENROLMENT_NOT_STARTED },
    refresh: {
      NotAuthorizedException: INVALID_REFRESH_TOKEN,
      UserNotFoundException: INVALID_REFRESH_TOKEN,
    },
    completeNewPassword: {
      NotAuthorizedException: INVALID_SESSION,
      UserNotFoundException: INVALID_SESSION,
      CodeMismatchException: INVALID_SESSION,
      ExpiredCodeException: INVALID_SESSION,
    },
    /**
     * A token the pool cannot even parse (e.g. longer than its own limit) is no token:
     * the same 401 as a malformed Authorization header, never the pool's 400.
     */
    getUser: { UserNotFoundException: INVALID_TOKEN, InvalidParameterException: INVALID_TOKEN },
    globalSignOut: { UserNotFoundException: INVALID_TOKEN },
    revokeToken: {
      NotAuthorizedException: INVALID_REFRESH_TOKEN,
      UnsupportedTokenTypeException: INVALID_REFRESH_TOKEN,
      /** The app client has token revocation turned off: our configuration, not the caller's. */
      UnsupportedOperationException: INTERNAL,
    },
    confirmSignUp: {
      NotAuthorizedException: rule(409, 'already_confirmed', 'This account is already confirmed.'),
      UserNotFoundException: INVALID_CODE,
    },
    confirmForgotPassword: {
      NotAuthorizedException: INVALID_CODE,
      UserNotFoundException: INVALID_CODE,
    },
    changePassword: {
      NotAuthorizedException: rule(
        400,
        'incorrect_password',
        'previousPassword: The current password is incorrect.',
      ),
    },
    adminGroup: {
      ResourceNotFoundException: rule(404, 'group_not_found', 'No group has this name.'),
    },
  },
};

/** An error of the user pool, mapped for the client; `upstream` (the exception name) is for logs only. */
export class UserPoolError extends HttpError {
  readonly upstream: string;
  readonly operation: PoolOperation;

  constructor(operation: PoolOperation, upstream: string, mapped: ErrorRule, cause: unknown) {
    super(mapped.status, mapped.code, mapped.message, { cause, headers: { ...mapped.headers } });
    this.upstream = upstream;
    this.operation = operation;
  }
}

const CONFIGURATION_ERRORS = new Set(['CredentialsProviderError']);

/**
 * The rule for an exception in an operation: the operation's own entry, else the default;
 * its `whenMessageHas` rule when the exception's message carries the marker.
 */
export function ruleFor(
  operation: PoolOperation,
  exceptionName: string,
  message = '',
): ErrorRule | undefined {
  const found =
    COGNITO_ERRORS.byOperation[operation]?.[exceptionName] ?? COGNITO_ERRORS.default[exceptionName];
  const special = found?.whenMessageHas;
  return special && message.includes(special.marker) ? special.rule : found;
}

/**
 * Maps whatever a call to the pool threw. Service exceptions go through the table;
 * server faults, timeouts and network errors become 503 `upstream_unavailable`;
 * missing credentials are our misconfiguration (500).
 */
export function toUserPoolError(operation: PoolOperation, error: unknown): UserPoolError {
  if (error instanceof CognitoIdentityProviderServiceException) {
    const mapped =
      ruleFor(operation, error.name, error.message) ??
      (error.$fault === 'server' ? UPSTREAM_UNAVAILABLE : INTERNAL);
    return new UserPoolError(operation, error.name, mapped, error);
  }
  const name = error instanceof Error ? error.name : typeof error;
  const code = (error as { code?: unknown } | null)?.code;
  const upstream = typeof code === 'string' ? `${name}:${code}` : name;
  return new UserPoolError(
    operation,
    upstream,
    CONFIGURATION_ERRORS.has(name) ? INTERNAL : UPSTREAM_UNAVAILABLE,
    error,
  );
}
