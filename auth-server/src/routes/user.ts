import { requestIdOf } from '@authstack/shared';
import type { Response } from 'express';
import type { z } from 'zod';
import type { Accounts, SignInOutcome } from '../domain/accounts';
import type { ApiRouter } from '../http/api-router';
import type { RateLimits } from '../http/rate-limits';
import {
  AcceptedResponse,
  ChangePasswordRequest,
  CodeSentResponse,
  ConfirmSignUpRequest,
  EmailOnlyRequest,
  type ErrorResponse,
  NewPasswordRequest,
  ProfileResponse,
  RefreshedTokensResponse,
  RefreshRequest,
  ResetPasswordRequest,
  SignInRequest,
  SignInResponse,
  SignOutDeviceRequest,
  SignUpRequest,
  SignUpResponse,
  VerifyEmailRequest,
} from '../http/schemas';
import { refreshedBody, signInBody } from './bodies';

/** The answers to requests that look the same whether or not the account exists; the account pages say them too. */
export const ACCEPTED = {
  forgot:
    'If an account has this email and the email is verified, a code to reset the password has been sent to it.',
  resend: 'If an unconfirmed account has this email, a new code has been sent to it.',
  verifyEmail: 'A code has been sent to the email: POST /user/email/verify with it.',
} as const;

const NEW_PASSWORD_REQUIRED =
  'This account must choose a new password: POST /user/password/new with the email, this session and newPassword.';

/** The routes of one's own account: sign-up, sign-in, tokens, profile, passwords. */
export function registerUserRoutes(
  api: ApiRouter,
  { accounts, limits }: { accounts: Accounts; limits: RateLimits },
): void {
  api.route({
    method: 'post',
    path: '/user',
    operationId: 'signUp',
    summary:
      'Sign up. With SIGNUP_CONFIRMATION=auto the user is confirmed (the email not verified) and signed in at once.',
    access: 'public',
    before: limits.account,
    body: SignUpRequest,
    responses: {
      201: {
        description:
          'Created. Auto mode: the tokens, or, where the pool requires MFA, the authenticator to enrol (totp_enrolment_required); code mode: where the code went.',
        schema: SignUpResponse,
      },
    },
    errors: { 400: ['weak_password'], 409: ['email_taken'], 429: ['too_many_requests'] },
    async handle({ body }, res, req) {
      const outcome = await accounts.signUp(body, req.log);
      const response: z.input<typeof SignUpResponse> = outcome.confirmed
        ? { sub: outcome.sub, confirmed: true, ...signInBody(outcome.signIn) }
        : { sub: outcome.sub, confirmed: false, codeDelivery: outcome.delivery };
      res.status(201).json(response);
    },
  });

  api.route({
    method: 'post',
    path: '/user/confirm',
    operationId: 'confirmSignUp',
    summary: 'Confirm a sign-up with the emailed code (code mode).',
    access: 'public',
    before: limits.account,
    body: ConfirmSignUpRequest,
    responses: { 204: { description: 'Confirmed; sign in now.' } },
    errors: {
      400: ['invalid_code', 'expired_code'],
      409: ['already_confirmed'],
      429: ['too_many_requests'],
    },
    async handle({ body }, res) {
      await accounts.confirmSignUp(body.email, body.code);
      res.status(204).end();
    },
  });

  api.route({
    method: 'post',
    path: '/user/confirm/resend',
    operationId: 'resendConfirmationCode',
    summary: 'Send the sign-up code again. Answers 202 whether or not the account exists.',
    access: 'public',
    before: limits.account,
    body: EmailOnlyRequest,
    responses: { 202: { description: 'Accepted.', schema: AcceptedResponse } },
    errors: { 429: ['too_many_requests'] },
    async handle({ body }, res, req) {
      const { suppressed } = await accounts.resendConfirmationCode(body.email);
      if (suppressed) req.log.info({ suppressed }, 'resend refused by the pool; answered 202');
      res.status(202).json({ message: ACCEPTED.resend });
    },
  });

  api.route({
    method: 'post',
    path: '/user/signin',
    operationId: 'signIn',
    summary:
      'Sign in with email and password (USER_PASSWORD_AUTH, so legacy users migrate). With MFA on, the answer is a challenge, not tokens.',
    access: 'public',
    before: limits.signIn,
    body: SignInRequest,
    responses: {
      200: {
        description:
          'Signed in (tokens), or the second step: totp_required (POST /user/signin/totp) or totp_enrolment_required (POST /user/signin/totp/enrolment).',
        schema: SignInResponse,
      },
    },
    errors: {
      401: ['invalid_credentials'],
      403: [
        'new_password_required',
        'password_reset_required',
        'user_not_confirmed',
        'challenge_not_supported',
      ],
      429: ['too_many_requests'],
    },
    async handle({ body }, res, req) {
      const outcome = await accounts.signIn(body.email, body.password, req.log);
      sendSignInStep(res, requestIdOf(req), outcome);
    },
  });

  api.route({
    method: 'post',
    path: '/user/password/new',
    operationId: 'completeNewPassword',
    summary:
      'Answer new_password_required: choose the password and get tokens (or, with MFA, the MFA challenge).',
    access: 'public',
    before: limits.account,
    body: NewPasswordRequest,
    responses: {
      200: { description: 'Signed in, or the MFA challenge.', schema: SignInResponse },
    },
    errors: { 400: ['weak_password'], 401: ['invalid_session'], 429: ['too_many_requests'] },
    async handle({ body }, res, req) {
      const outcome = await accounts.completeNewPassword(
        body.email,
        body.session,
        body.newPassword,
        req.log,
      );
      sendSignInStep(res, requestIdOf(req), outcome);
    },
  });

  api.route({
    method: 'post',
    path: '/user/token/refresh',
    operationId: 'refreshTokens',
    summary: 'New id and access tokens for a refresh token (no new refresh token).',
    access: 'public',
    body: RefreshRequest,
    responses: { 200: { description: 'Refreshed.', schema: RefreshedTokensResponse } },
    errors: { 401: ['invalid_refresh_token'] },
    async handle({ body }, res, req) {
      const tokens = await accounts.refresh(body.refreshToken, body.email, req.log);
      res.status(200).json(refreshedBody(tokens));
    },
  });

  for (const method of ['get', 'post'] as const) {
    api.route({
      method,
      path: '/user/signout',
      operationId: method === 'get' ? 'signOutGet' : 'signOut',
      summary:
        'Sign out everywhere: every token of the user issued up to now is refused by every resource-server, and every refresh token is revoked.',
      access: 'user',
      responses: { 204: { description: 'Signed out.' } },
      errors: { 503: ['revocation_unavailable'] },
      async handle({ caller }, res) {
        await accounts.signOut(caller.user, caller.accessToken);
        res.status(204).end();
      },
    });
  }

  api.route({
    method: 'post',
    path: '/user/signout/device',
    operationId: 'signOutDevice',
    summary:
      'Sign out this device only: the refresh token and every token of its sign-in stop working; other sessions go on.',
    access: 'public',
    body: SignOutDeviceRequest,
    responses: { 204: { description: 'Signed out on this device.' } },
    errors: { 401: ['invalid_refresh_token'], 503: ['revocation_unavailable'] },
    async handle({ body }, res) {
      const { sub } = await accounts.signOutDevice(body.refreshToken, body.email);
      res.locals.sub = sub;
      res.status(204).end();
    },
  });

  api.route({
    method: 'get',
    path: '/user/me',
    operationId: 'me',
    summary: 'The signed-in user as the pool knows them.',
    access: 'user',
    responses: { 200: { description: 'The user.', schema: ProfileResponse } },
    async handle({ caller }, res) {
      const profile: z.input<typeof ProfileResponse> = await accounts.profile(caller.user);
      res.status(200).json(profile);
    },
  });

  api.route({
    method: 'post',
    path: '/user/email/verification',
    operationId: 'sendEmailVerificationCode',
    summary:
      "Email a code to the signed-in user's address, to prove owning it (POST /user/email/verify). A password reset needs a verified email.",
    access: 'user',
    before: limits.account,
    responses: { 202: { description: 'Code sent.', schema: CodeSentResponse } },
    errors: { 429: ['too_many_requests'], 502: ['code_delivery_failed'] },
    async handle({ caller }, res) {
      const codeDelivery = await accounts.sendEmailVerificationCode(caller.accessToken);
      const body: z.input<typeof CodeSentResponse> = {
        message: ACCEPTED.verifyEmail,
        codeDelivery,
      };
      res.status(202).json(body);
    },
  });

  api.route({
    method: 'post',
    path: '/user/email/verify',
    operationId: 'verifyEmail',
    summary: 'Prove owning the email with the code sent to it: the email is then verified.',
    access: 'user',
    before: limits.account,
    body: VerifyEmailRequest,
    responses: { 204: { description: 'The email is verified.' } },
    errors: { 400: ['invalid_code', 'expired_code'], 429: ['too_many_requests'] },
    async handle({ body, caller }, res) {
      await accounts.verifyEmail(caller.accessToken, body.code);
      res.status(204).end();
    },
  });

  api.route({
    method: 'post',
    path: '/user/password/forgot',
    operationId: 'forgotPassword',
    summary: 'Email a code to reset the password. Answers 202 whether or not the account exists.',
    access: 'public',
    before: limits.account,
    body: EmailOnlyRequest,
    responses: { 202: { description: 'Accepted.', schema: AcceptedResponse } },
    errors: { 429: ['too_many_requests'] },
    async handle({ body }, res, req) {
      const { suppressed } = await accounts.forgotPassword(body.email);
      if (suppressed)
        req.log.info({ suppressed }, 'forgot-password refused by the pool; answered 202');
      res.status(202).json({ message: ACCEPTED.forgot });
    },
  });

  api.route({
    method: 'post',
    path: '/user/password/reset',
    operationId: 'resetPassword',
    summary:
      'Set a new password with the code from forgot-password. Every session of the user ends: every refresh token is revoked and every token issued before is refused.',
    access: 'public',
    before: limits.account,
    body: ResetPasswordRequest,
    responses: { 204: { description: 'Password set; sign in with it.' } },
    errors: {
      400: ['weak_password', 'invalid_code', 'expired_code'],
      429: ['too_many_requests'],
      503: ['revocation_unavailable'],
    },
    async handle({ body }, res) {
      await accounts.resetPassword(body.email, body.code, body.newPassword);
      res.status(204).end();
    },
  });

  api.route({
    method: 'post',
    path: '/user/password/change',
    operationId: 'changePassword',
    summary:
      'Change the password of the signed-in user. Every session of theirs ends (every refresh token revoked, every token issued before refused by every resource-server); this device is signed in again with the new password. Wrong current passwords count as failed sign-ins.',
    access: 'user',
    body: ChangePasswordRequest,
    responses: {
      200: {
        description:
          "Password changed and every other session ended. This device's new tokens (a sign-in with the new password; the old ones no longer work), or with MFA on the totp_required challenge to answer at POST /user/signin/totp.",
        schema: SignInResponse,
      },
    },
    errors: {
      400: ['weak_password', 'incorrect_password'],
      429: ['too_many_requests'],
      503: ['revocation_unavailable'],
    },
    async handle({ body, caller }, res, req) {
      const outcome = await limits.passwordAttempt(req, caller.user.email, () =>
        accounts.changePassword(
          caller.user,
          caller.accessToken,
          body.previousPassword,
          body.proposedPassword,
          req.log,
        ),
      );
      res.status(200).json(signInBody(outcome));
    },
  });
}

/** 200 with tokens or an MFA challenge; 403 `new_password_required` with its session. */
function sendSignInStep(res: Response, requestId: string, outcome: SignInOutcome): void {
  if (outcome.kind === 'new_password_required') {
    sendNewPasswordRequired(res, requestId, outcome.session);
    return;
  }
  res.status(200).json(signInBody(outcome));
}

/** 403 in the one error body, plus the session the client needs to answer the challenge. */
function sendNewPasswordRequired(res: Response, requestId: string, session: string): void {
  const body: z.input<typeof ErrorResponse> = {
    error: { code: 'new_password_required', message: NEW_PASSWORD_REQUIRED, requestId, session },
  };
  res.status(403).json(body);
}
