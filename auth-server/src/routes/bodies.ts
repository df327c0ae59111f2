import type { z } from 'zod';
import type { SignInOutcome } from '../domain/accounts';
import type { Tokens } from '../domain/user-pool';
import type {
  RefreshedTokensResponse,
  TotpChallengeResponse,
  TotpEnrolmentChallengeResponse,
  TokensResponse,
} from '../http/schemas';

/** The answer bodies several routes share. */

export function tokensBody(tokens: Tokens): z.input<typeof TokensResponse> {
  return {
    idToken: tokens.idToken,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken ?? '',
    expiresIn: tokens.expiresIn,
    tokenType: 'Bearer',
  };
}

export function refreshedBody(tokens: Tokens): z.input<typeof RefreshedTokensResponse> {
  const { refreshToken: _none, ...rest } = tokensBody(tokens);
  return rest;
}

/**
 * The 200 body of a sign-in step (sign-in, new password, auto sign-up): the tokens, or
 * the MFA challenge with its session (and, for an enrolment, the new authenticator).
 */
export function signInBody(
  outcome: Exclude<SignInOutcome, { kind: 'new_password_required' }>,
):
  | z.input<typeof TokensResponse>
  | z.input<typeof TotpChallengeResponse>
  | z.input<typeof TotpEnrolmentChallengeResponse> {
  switch (outcome.kind) {
    case 'signed_in':
      return tokensBody(outcome.tokens);
    case 'totp_required':
      return { challenge: 'totp_required', session: outcome.session };
    case 'totp_enrolment_required':
      return {
        challenge: 'totp_enrolment_required',
        session: outcome.session,
        ...outcome.enrolment,
      };
  }
}
