import type { z } from 'zod';
import type { Accounts } from '../domain/accounts';
import type { MultiFactor } from '../domain/multi-factor';
import type { ApiRouter } from '../http/api-router';
import type { RateLimits } from '../http/rate-limits';
import {
  AuthenticatorEnrolmentResponse,
  ConfirmEnrolmentRequest,
  TokensResponse,
  TotpEnrolmentSignInRequest,
  TotpSignInRequest,
  TurnOffMfaRequest,
} from '../http/schemas';
import { tokensBody } from './bodies';

/** What a wrong or replayed code, an over-used session, or too many wrong codes get. */
const CODE_ERRORS = {
  400: ['invalid_code', 'code_already_used'],
  429: ['too_many_requests'],
};

/**
 * TOTP multi-factor sign-in: the second step of a sign-in (a code, or the enrolment of a
 * first authenticator where the pool requires one), and a signed-in user's own MFA:
 * enrol an authenticator app, turn MFA off.
 */
export function registerMfaRoutes(
  api: ApiRouter,
  {
    accounts,
    multiFactor,
    limits,
  }: { accounts: Accounts; multiFactor: MultiFactor; limits: RateLimits },
): void {
  api.route({
    method: 'post',
    path: '/user/signin/totp',
    operationId: 'signInWithTotp',
    summary:
      'Answer totp_required: the email, the session of the sign-in answer and the code the authenticator app shows. A wrong code leaves the session usable until it expires.',
    access: 'public',
    body: TotpSignInRequest,
    responses: { 200: { description: 'Signed in.', schema: TokensResponse } },
    errors: { ...CODE_ERRORS, 401: ['invalid_session'] },
    async handle({ body }, res, req) {
      const tokens = await limits.mfaCodeAttempt(
        req,
        { email: body.email, session: body.session },
        () => accounts.answerTotpChallenge(body.email, body.session, body.code, req.log),
      );
      res.status(200).json(tokensBody(tokens));
    },
  });

  api.route({
    method: 'post',
    path: '/user/signin/totp/enrolment',
    operationId: 'signInWithTotpEnrolment',
    summary:
      'Answer totp_enrolment_required: add the authenticator it gave to an app, then send the email, the session and the first code. The authenticator is then enrolled (MFA on) and the sign-in complete.',
    access: 'public',
    body: TotpEnrolmentSignInRequest,
    responses: { 200: { description: 'Enrolled and signed in.', schema: TokensResponse } },
    errors: { ...CODE_ERRORS, 401: ['invalid_session'] },
    async handle({ body }, res, req) {
      const tokens = await limits.mfaCodeAttempt(
        req,
        { email: body.email, session: body.session },
        () =>
          accounts.completeTotpEnrolment(
            body.email,
            body.session,
            body.code,
            body.deviceName,
            req.log,
          ),
      );
      res.status(200).json(tokensBody(tokens));
    },
  });

  api.route({
    method: 'post',
    path: '/user/mfa/enrolment',
    operationId: 'startMfaEnrolment',
    summary:
      'Start enrolling an authenticator app: a new TOTP secret, its otpauth URI and QR code. MFA is on once POST /user/mfa/enrolment/confirm accepts a code of it; an authenticator enrolled before keeps working until then.',
    access: 'user',
    responses: {
      200: { description: 'The authenticator to add.', schema: AuthenticatorEnrolmentResponse },
    },
    errors: { 403: ['mfa_disabled'] },
    async handle({ caller }, res) {
      const enrolment: z.input<typeof AuthenticatorEnrolmentResponse> =
        await multiFactor.startEnrolment(caller.user, caller.accessToken);
      res.status(200).json(enrolment);
    },
  });

  api.route({
    method: 'post',
    path: '/user/mfa/enrolment/confirm',
    operationId: 'confirmMfaEnrolment',
    summary:
      'Confirm the enrolment with a code of the new authenticator: MFA is then on (and preferred), and every sign-in asks for a code.',
    access: 'user',
    body: ConfirmEnrolmentRequest,
    responses: { 204: { description: 'MFA is on.' } },
    errors: { ...CODE_ERRORS, 403: ['mfa_disabled'], 409: ['enrolment_not_started'] },
    async handle({ body, caller }, res, req) {
      await limits.mfaCodeAttempt(req, { email: caller.user.email }, () =>
        multiFactor.confirmEnrolment(caller.accessToken, body.code, body.deviceName),
      );
      res.status(204).end();
    },
  });

  api.route({
    method: 'post',
    path: '/user/mfa/disable',
    operationId: 'turnOffMfa',
    summary:
      'Turn MFA off; the password proves it is the user (a stolen access token is not enough). Refused while MFA is required of everyone.',
    access: 'user',
    body: TurnOffMfaRequest,
    responses: { 204: { description: 'MFA is off: sign-in asks for the password only.' } },
    errors: {
      400: ['incorrect_password'],
      403: ['password_reset_required'],
      409: ['mfa_required'],
      429: ['too_many_requests'],
    },
    async handle({ body, caller }, res, req) {
      await limits.passwordAttempt(req, caller.user.email, () =>
        multiFactor.turnOff(caller.user, caller.accessToken, body.password),
      );
      res.status(204).end();
    },
  });
}
