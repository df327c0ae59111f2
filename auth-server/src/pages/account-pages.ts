import { HttpError, noStore, validate } from '@authstack/shared';
import cookieParser from 'cookie-parser';
import express, {
  Router,
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import helmet from 'helmet';
import type { Accounts, SignInOutcome } from '../domain/accounts';
import { authenticatorEnrolment } from '../domain/authenticator-enrolment';
import type { MfaMode, MultiFactor } from '../domain/multi-factor';
import type { PoolUser } from '../domain/user-pool';
import type { RateLimits } from '../http/rate-limits';
import {
  ChangePasswordRequest,
  ConfirmEnrolmentRequest,
  ConfirmSignUpRequest,
  EmailOnlyRequest,
  NewPasswordRequest,
  ResetPasswordRequest,
  SignInRequest,
  SignUpRequest,
  TotpEnrolmentSignInRequest,
  TotpSignInRequest,
} from '../http/schemas';
import { ACCEPTED_MESSAGES, NOTICES, type Notice } from './messages';
import { formTokens, sameOriginOnly } from './request-forgery';
import { callResourceApi, type ResourceAnswer } from './resource-api';
import { SessionCookies, type PendingSignIn } from './session-cookies';
import { STYLESHEET } from './stylesheet';
import type { TemplateName } from './templates';
import {
  formValues,
  renderPage,
  sendPage,
  withError,
  type Field,
  type Form,
  type Link,
  type PageMessages,
} from './views';

export interface AccountPagesSettings {
  /** Session cookies are `Secure` (ACCOUNT_COOKIE_SECURE); false only for a local stack over http. */
  secureCookies: boolean;
  /** Signs CSRF tokens (ACCOUNT_CSRF_SECRET); unset: a random secret per process. */
  csrfSecret?: string;
  /** The resource-server's API base (ACCOUNT_RESOURCE_API_URL); unset hides its button. */
  resourceApiUrl?: string;
}

export interface AccountPagesDeps {
  /** Where the pages are mounted, e.g. `/v1/account`. */
  base: string;
  accounts: Accounts;
  multiFactor: MultiFactor;
  limits: RateLimits;
  signUpConfirmation: 'auto' | 'code';
  mfa: { mode: MfaMode; issuer: string };
  settings: AccountPagesSettings;
  /** Deadline of the call to the resource API. */
  upstreamTimeoutMs?: number;
}

const SITE = 'authstack account';
/** The pages a refresh may return to. */
const RETURN_PAGES = ['profile', 'password'] as const;
type ReturnPage = (typeof RETURN_PAGES)[number];

const email = (value?: string): Field => ({
  name: 'email',
  label: 'Email',
  type: 'email',
  autocomplete: 'username',
  ...(value === undefined ? {} : { value }),
});
const password = (name: string, label: string, autocomplete: string, hint?: string): Field => ({
  name,
  label,
  type: 'password',
  autocomplete,
  ...(hint === undefined ? {} : { hint }),
});
const code = (label: string, hint?: string): Field => ({
  name: 'code',
  label,
  type: 'text',
  autocomplete: 'one-time-code',
  inputmode: 'numeric',
  ...(hint === undefined ? {} : { hint }),
});
const TOTP_HINT = 'The six-digit code your authenticator app shows now.';
const NEW_PASSWORD_HINT =
  'At least 8 characters, with upper and lower case letters, a digit and a symbol.';

/**
 * The account pages: server-rendered HTML forms (no script) over the same domain objects
 * the REST routes use. Sessions live in HttpOnly cookies (`SessionCookies`); every form
 * post is checked for its origin and its CSRF token; the CSP allows no script at all.
 */
export function accountPages(deps: AccountPagesDeps): Router {
  const { base, accounts, multiFactor, limits, settings } = deps;
  const cookies = new SessionCookies(base, settings.secureCookies);
  const tokens = formTokens(cookies, settings.csrfSecret);
  const url = (path: string): string => `${base}${path}`;
  const router = Router();

  router.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          ...(settings.secureCookies ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      frameguard: { action: 'deny' },
      // Browsers then send `Origin` with the pages' own form posts (no-referrer sends "null").
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: settings.secureCookies,
    }),
  );
  router.get('/static/account.css', (_req, res) => {
    res.status(200).type('css').setHeader('Cache-Control', 'public, max-age=300').send(STYLESHEET);
  });
  router.use(noStore, cookieParser(), express.urlencoded({ extended: false, limit: '16kb' }));
  router.use(sameOriginOnly, tokens.protect);

  /** Renders `template` for this request: the layout's data and a CSRF token for its forms. */
  const page = (
    req: Request,
    res: Response,
    template: TemplateName,
    data: { title: string } & PageMessages & Record<string, unknown>,
    status = 200,
    error?: unknown,
  ): void => {
    const html = renderPage(template, {
      base,
      site: SITE,
      signedIn: cookies.accessToken(req) !== undefined,
      ...data,
    });
    sendPage(res, status, html, error);
  };
  const form = (req: Request, res: Response, fields: Omit<Form, 'csrfToken'>): Form => ({
    ...fields,
    csrfToken: tokens.issue(req, res),
  });
  const noticeOf = (req: Request): string | undefined => {
    const key = req.query.notice;
    return typeof key === 'string' && key in NOTICES ? NOTICES[key as Notice] : undefined;
  };
  const redirect = (res: Response, path: string, notice?: Notice): void => {
    res.redirect(303, url(notice === undefined ? path : `${path}?notice=${notice}`));
  };

  /**
   * A form's POST: `act` does the work; an `HttpError` it throws is shown on the form
   * again (`show`), with its status, tied to the field it is about. Anything else goes
   * to the pages' error handler.
   */
  const formPost =
    (
      show: (req: Request, res: Response, state: FormState) => void | Promise<void>,
      act: (req: Request, res: Response, values: Record<string, string>) => Promise<void>,
    ): RequestHandler =>
    async (req, res) => {
      const values = formValues(req);
      try {
        await act(req, res, values);
      } catch (error) {
        if (
          !(error instanceof HttpError) ||
          (error.status === 401 && error.code === 'invalid_token')
        ) {
          throw error;
        }
        if (error.status >= 500)
          req.log.warn({ err: error, code: error.code }, 'form failed upstream');
        else req.log.info({ code: error.code }, 'form refused');
        await show(req, res, { values, error });
      }
    };

  // ----- sign-in -----

  const showSignIn = (req: Request, res: Response, state: FormState = {}): void => {
    page(
      req,
      res,
      '@form-page',
      {
        title: 'Sign in',
        ...messagesOf(state, noticeOf(req)),
        form: form(req, res, {
          action: url('/signin'),
          submit: 'Sign in',
          fields: withError(
            [email(state.values?.email), password('password', 'Password', 'current-password')],
            state.error,
          ),
        }),
        links: [
          { href: url('/signup'), text: 'Create an account' },
          { href: url('/forgot'), text: 'Forgot your password?' },
          ...(deps.signUpConfirmation === 'code'
            ? [{ href: url('/confirm'), text: 'Confirm your email with a code' }]
            : []),
        ],
      },
      state.error?.status,
      state.error,
    );
  };

  /** Where a sign-in step leads: the profile (signed in), or the page of the next step. */
  const continueSignIn = (res: Response, outcome: SignInOutcome, forEmail: string): void => {
    if (outcome.kind === 'signed_in') {
      cookies.setSession(res, outcome.tokens, forEmail);
      redirect(res, '/profile');
      return;
    }
    const pending: PendingSignIn = {
      kind: outcome.kind,
      email: forEmail,
      session: outcome.session,
      ...(outcome.kind === 'totp_enrolment_required' ? { secret: outcome.enrolment.secret } : {}),
    };
    cookies.setPendingSignIn(res, pending);
    redirect(res, STEP_PAGES[outcome.kind]);
  };

  router.get('/', (_req, res) => redirect(res, '/profile'));
  router.get('/signin', (req, res) => showSignIn(req, res));
  router.post(
    '/signin',
    formPost(showSignIn, async (req, res, values) => {
      const body = validate(SignInRequest, values);
      await runMiddleware(limits.signIn, req, res);
      let outcome: SignInOutcome;
      try {
        outcome = await accounts.signIn(body.email, body.password, req.log);
      } catch (error) {
        await countFailedSignIn(limits, error, req, res);
        throw error;
      }
      continueSignIn(res, outcome, body.email);
    }),
  );

  /** The pending step of `kind`, or back to the sign-in page saying the session is over. */
  const pendingOf = (
    req: Request,
    res: Response,
    kind: PendingSignIn['kind'],
  ): PendingSignIn | undefined => {
    const pending = cookies.pendingSignIn(req);
    if (pending?.kind === kind) return pending;
    redirect(res, '/signin', 'session-expired');
    return undefined;
  };

  const showTotp = (req: Request, res: Response, state: FormState = {}): void => {
    if (!pendingOf(req, res, 'totp_required')) return;
    page(
      req,
      res,
      '@form-page',
      {
        title: 'Enter your code',
        intro: 'Multi-factor sign-in is on for this account.',
        ...messagesOf(state),
        form: form(req, res, {
          action: url('/signin/totp'),
          submit: 'Continue',
          fields: withError([code('Code from your authenticator app', TOTP_HINT)], state.error),
        }),
        links: [{ href: url('/signin'), text: 'Start again' }],
      },
      state.error?.status,
      state.error,
    );
  };
  router.get('/signin/totp', (req, res) => showTotp(req, res));
  router.post(
    '/signin/totp',
    formPost(showTotp, async (req, res, values) => {
      const pending = pendingOf(req, res, 'totp_required');
      if (!pending) return;
      const body = validate(TotpSignInRequest, {
        ...values,
        email: pending.email,
        session: pending.session,
      });
      const signedIn = await limits.mfaCodeAttempt(
        req,
        { email: body.email, session: body.session },
        () => accounts.answerTotpChallenge(body.email, body.session, body.code, req.log),
      );
      continueSignIn(res, { kind: 'signed_in', tokens: signedIn }, body.email);
    }),
  );

  const showSignInEnrolment = (req: Request, res: Response, state: FormState = {}): void => {
    const pending = pendingOf(req, res, 'totp_enrolment_required');
    if (!pending?.secret) return;
    page(
      req,
      res,
      '@enrol-page',
      {
        title: 'Add an authenticator app',
        intro: 'This service asks for a code from an authenticator app at every sign-in.',
        ...messagesOf(state),
        account: pending.email,
        enrolment: authenticatorEnrolment(pending.secret, pending.email, deps.mfa.issuer),
        form: form(req, res, {
          action: url('/signin/enrol'),
          submit: 'Add and sign in',
          fields: withError([code('Code from your authenticator app', TOTP_HINT)], state.error),
        }),
        links: [{ href: url('/signin'), text: 'Start again' }],
      },
      state.error?.status,
      state.error,
    );
  };
  router.get('/signin/enrol', (req, res) => showSignInEnrolment(req, res));
  router.post(
    '/signin/enrol',
    formPost(showSignInEnrolment, async (req, res, values) => {
      const pending = pendingOf(req, res, 'totp_enrolment_required');
      if (!pending) return;
      const body = validate(TotpEnrolmentSignInRequest, {
        ...values,
        email: pending.email,
        session: pending.session,
      });
      const signedIn = await limits.mfaCodeAttempt(
        req,
        { email: body.email, session: body.session },
        () =>
          accounts.completeTotpEnrolment(body.email, body.session, body.code, undefined, req.log),
      );
      continueSignIn(res, { kind: 'signed_in', tokens: signedIn }, body.email);
    }),
  );

  const showNewPassword = (req: Request, res: Response, state: FormState = {}): void => {
    if (!pendingOf(req, res, 'new_password_required')) return;
    page(
      req,
      res,
      '@form-page',
      {
        title: 'Choose a new password',
        intro: 'This account must choose a new password before it can sign in.',
        ...messagesOf(state),
        form: form(req, res, {
          action: url('/signin/new-password'),
          submit: 'Set password and sign in',
          fields: withError(
            [password('newPassword', 'New password', 'new-password', NEW_PASSWORD_HINT)],
            state.error,
          ),
        }),
      },
      state.error?.status,
      state.error,
    );
  };
  router.get('/signin/new-password', (req, res) => showNewPassword(req, res));
  router.post(
    '/signin/new-password',
    formPost(showNewPassword, async (req, res, values) => {
      const pending = pendingOf(req, res, 'new_password_required');
      if (!pending) return;
      const body = validate(NewPasswordRequest, {
        ...values,
        email: pending.email,
        session: pending.session,
      });
      await runMiddleware(limits.account, req, res);
      const outcome = await accounts.completeNewPassword(
        body.email,
        body.session,
        body.newPassword,
        req.log,
      );
      continueSignIn(res, outcome, body.email);
    }),
  );

  // ----- sign-up and confirmation -----

  const showSignUp = (req: Request, res: Response, state: FormState = {}): void => {
    page(
      req,
      res,
      '@form-page',
      {
        title: 'Create an account',
        ...messagesOf(state),
        form: form(req, res, {
          action: url('/signup'),
          submit: 'Create account',
          fields: withError(
            [
              email(state.values?.email),
              {
                name: 'name',
                label: 'Name',
                type: 'text',
                autocomplete: 'name',
                ...(state.values?.name === undefined ? {} : { value: state.values.name }),
              },
              password('password', 'Password', 'new-password', NEW_PASSWORD_HINT),
            ],
            state.error,
          ),
        }),
        links: [{ href: url('/signin'), text: 'Already have an account? Sign in' }],
      },
      state.error?.status,
      state.error,
    );
  };
  router.get('/signup', (req, res) => showSignUp(req, res));
  router.post(
    '/signup',
    formPost(showSignUp, async (req, res, values) => {
      const body = validate(SignUpRequest, values);
      await runMiddleware(limits.account, req, res);
      const outcome = await accounts.signUp(body, req.log);
      if (outcome.confirmed) {
        continueSignIn(res, outcome.signIn, body.email);
        return;
      }
      showConfirm(req, res, { values: { email: body.email }, notice: NOTICES['code-sent'] });
    }),
  );

  const showConfirm = (req: Request, res: Response, state: FormState = {}): void => {
    const resendForm = form(req, res, {
      action: url('/confirm/resend'),
      submit: 'Send a new code',
      buttonClass: 'secondary',
      fields: [
        {
          ...email(state.values?.email),
          name: 'resendEmail',
          label: 'Email to send a new code to',
        },
      ],
    });
    page(
      req,
      res,
      '@form-page',
      {
        title: 'Confirm your email',
        intro: 'Enter the code we emailed to you.',
        ...messagesOf(state, noticeOf(req)),
        form: form(req, res, {
          action: url('/confirm'),
          submit: 'Confirm',
          fields: withError([email(state.values?.email), code('Code')], state.error),
        }),
        extraForms: [resendForm],
        links: [{ href: url('/signin'), text: 'Sign in' }],
      },
      state.error?.status,
      state.error,
    );
  };
  router.get('/confirm', (req, res) => showConfirm(req, res));
  router.post(
    '/confirm',
    formPost(showConfirm, async (req, res, values) => {
      const body = validate(ConfirmSignUpRequest, values);
      await runMiddleware(limits.account, req, res);
      await accounts.confirmSignUp(body.email, body.code);
      redirect(res, '/signin', 'confirmed');
    }),
  );
  router.post(
    '/confirm/resend',
    formPost(showConfirm, async (req, res, values) => {
      const body = validate(EmailOnlyRequest, { email: values.resendEmail });
      await runMiddleware(limits.account, req, res);
      const { suppressed } = await accounts.resendConfirmationCode(body.email);
      if (suppressed) req.log.info({ suppressed }, 'resend refused by the pool; answered alike');
      showConfirm(req, res, { values: { email: body.email }, notice: ACCEPTED_MESSAGES.resend });
    }),
  );

  // ----- forgotten password -----

  const showForgot = (req: Request, res: Response, state: FormState = {}): void => {
    page(
      req,
      res,
      '@form-page',
      {
        title: 'Forgot your password?',
        intro: 'We will email you a code to set a new password.',
        ...messagesOf(state),
        form: form(req, res, {
          action: url('/forgot'),
          submit: 'Send code',
          fields: withError([email(state.values?.email)], state.error),
        }),
        links: [
          { href: url('/reset'), text: 'I have a code' },
          { href: url('/signin'), text: 'Sign in' },
        ],
      },
      state.error?.status,
      state.error,
    );
  };
  router.get('/forgot', (req, res) => showForgot(req, res));
  router.post(
    '/forgot',
    formPost(showForgot, async (req, res, values) => {
      const body = validate(EmailOnlyRequest, values);
      await runMiddleware(limits.account, req, res);
      const { suppressed } = await accounts.forgotPassword(body.email);
      if (suppressed)
        req.log.info({ suppressed }, 'forgot-password refused by the pool; answered alike');
      showReset(req, res, { values: { email: body.email }, notice: ACCEPTED_MESSAGES.forgot });
    }),
  );

  const showReset = (req: Request, res: Response, state: FormState = {}): void => {
    page(
      req,
      res,
      '@form-page',
      {
        title: 'Set a new password',
        ...messagesOf(state),
        form: form(req, res, {
          action: url('/reset'),
          submit: 'Set new password',
          fields: withError(
            [
              email(state.values?.email),
              code('Code from the email'),
              password('newPassword', 'New password', 'new-password', NEW_PASSWORD_HINT),
            ],
            state.error,
          ),
        }),
        links: [{ href: url('/forgot'), text: 'Send a new code' }],
      },
      state.error?.status,
      state.error,
    );
  };
  router.get('/reset', (req, res) => showReset(req, res));
  router.post(
    '/reset',
    formPost(showReset, async (req, res, values) => {
      const body = validate(ResetPasswordRequest, values);
      await runMiddleware(limits.account, req, res);
      await accounts.resetPassword(body.email, body.code, body.newPassword);
      redirect(res, '/signin', 'password-reset');
    }),
  );

  // ----- signed in -----

  /**
   * The signed-in user of the access-token cookie. Without a usable one, the browser is sent
   * to refresh it once (`/session/refresh`, where the refresh cookie goes), then to sign in.
   */
  const signedIn = async (
    req: Request,
    res: Response,
    returnTo: ReturnPage,
  ): Promise<{ user: PoolUser; accessToken: string } | undefined> => {
    const accessToken = cookies.accessToken(req);
    if (accessToken !== undefined) {
      try {
        return { user: await accounts.authenticate(accessToken), accessToken };
      } catch (error) {
        if (!isRefusedToken(error)) throw error;
      }
    }
    if (req.query.refreshed === '1') {
      cookies.clearSession(res);
      redirect(res, '/signin', 'session-expired');
    } else {
      res.redirect(303, url(`/session/refresh?next=${returnTo}`));
    }
    return undefined;
  };

  const showProfile = async (
    req: Request,
    res: Response,
    state: FormState & { resourceAnswer?: ResourceAnswer } = {},
  ): Promise<void> => {
    const caller = await signedIn(req, res, 'profile');
    if (!caller) return;
    const profile = await accounts.profile(caller.user);
    const offerMfa = deps.mfa.mode !== 'off' && !profile.mfaEnabled;
    page(
      req,
      res,
      '@profile-page',
      {
        title: 'Your account',
        ...messagesOf(state, noticeOf(req)),
        profile,
        resourceApi: settings.resourceApiUrl !== undefined,
        resourceForm: form(req, res, {
          action: url('/profile/resource'),
          submit: 'Call the resource API',
          buttonClass: 'secondary',
        }),
        resourceAnswer: state.resourceAnswer,
        mfaForm: offerMfa
          ? form(req, res, {
              action: url('/mfa/enrolment'),
              submit: 'Add an authenticator app',
              buttonClass: 'secondary',
            })
          : undefined,
        signOutForm: form(req, res, {
          action: url('/session/signout'),
          submit: 'Sign out on this device',
          buttonClass: 'secondary',
        }),
        signOutEverywhereForm: form(req, res, {
          action: url('/session/signout-everywhere'),
          submit: 'Sign out everywhere',
          buttonClass: 'secondary',
        }),
      },
      state.error?.status,
      state.error,
    );
  };
  router.get('/profile', (req, res) => showProfile(req, res));
  router.post('/profile/resource', async (req, res) => {
    const caller = await signedIn(req, res, 'profile');
    if (!caller || settings.resourceApiUrl === undefined) return redirect(res, '/profile');
    const resourceAnswer = await callResourceApi(
      settings.resourceApiUrl,
      caller.accessToken,
      deps.upstreamTimeoutMs,
    );
    await showProfile(req, res, { resourceAnswer });
  });

  const showChangePassword = async (
    req: Request,
    res: Response,
    state: FormState = {},
  ): Promise<void> => {
    if (!(await signedIn(req, res, 'password'))) return;
    page(
      req,
      res,
      '@form-page',
      {
        title: 'Change password',
        intro: 'Every other device you are signed in on will be signed out.',
        ...messagesOf(state),
        form: form(req, res, {
          action: url('/password'),
          submit: 'Change password',
          fields: withError(
            [
              password('previousPassword', 'Current password', 'current-password'),
              password('proposedPassword', 'New password', 'new-password', NEW_PASSWORD_HINT),
            ],
            state.error,
          ),
        }),
        links: [{ href: url('/profile'), text: 'Back to your account' }],
      },
      state.error?.status,
      state.error,
    );
  };
  router.get('/password', (req, res) => showChangePassword(req, res));
  router.post(
    '/password',
    formPost(showChangePassword, async (req, res, values) => {
      const caller = await signedIn(req, res, 'password');
      if (!caller) return;
      const body = validate(ChangePasswordRequest, values);
      const outcome = await limits.passwordAttempt(req, caller.user.email, () =>
        accounts.changePassword(
          caller.user,
          caller.accessToken,
          body.previousPassword,
          body.proposedPassword,
          req.log,
        ),
      );
      if (outcome.kind === 'signed_in') {
        cookies.setSession(res, outcome.tokens, caller.user.email);
        redirect(res, '/profile', 'password-changed');
        return;
      }
      continueSignIn(res, outcome, caller.user.email);
    }),
  );

  // ----- adding an authenticator app from the profile -----

  router.post('/mfa/enrolment', async (req, res) => {
    const caller = await signedIn(req, res, 'profile');
    if (!caller) return;
    const enrolment = await multiFactor.startEnrolment(caller.user, caller.accessToken);
    cookies.setEnrolment(res, enrolment.secret);
    redirect(res, '/mfa/enrolment');
  });
  const showEnrolment = async (
    req: Request,
    res: Response,
    state: FormState = {},
  ): Promise<void> => {
    const caller = await signedIn(req, res, 'profile');
    if (!caller) return;
    const secret = cookies.enrolment(req);
    if (secret === undefined) return redirect(res, '/profile', 'enrolment-expired');
    page(
      req,
      res,
      '@enrol-page',
      {
        title: 'Add an authenticator app',
        ...messagesOf(state),
        account: caller.user.email,
        enrolment: authenticatorEnrolment(secret, caller.user.email, deps.mfa.issuer),
        form: form(req, res, {
          action: url('/mfa/enrolment/confirm'),
          submit: 'Turn on multi-factor sign-in',
          fields: withError([code('Code from your authenticator app', TOTP_HINT)], state.error),
        }),
        links: [{ href: url('/profile'), text: 'Back to your account' }],
      },
      state.error?.status,
      state.error,
    );
  };
  router.get('/mfa/enrolment', (req, res) => showEnrolment(req, res));
  router.post(
    '/mfa/enrolment/confirm',
    formPost(showEnrolment, async (req, res, values) => {
      const caller = await signedIn(req, res, 'profile');
      if (!caller) return;
      const body = validate(ConfirmEnrolmentRequest, values);
      await limits.mfaCodeAttempt(req, { email: caller.user.email }, () =>
        multiFactor.confirmEnrolment(caller.accessToken, body.code, undefined),
      );
      cookies.clearEnrolment(res);
      redirect(res, '/profile', 'mfa-on');
    }),
  );

  // ----- the session: refresh and sign-out (the refresh cookie's path) -----

  router.get('/session/refresh', async (req, res) => {
    const next = RETURN_PAGES.find((name) => name === req.query.next) ?? 'profile';
    const refresh = cookies.refresh(req);
    if (refresh === undefined) return redirect(res, '/signin');
    try {
      cookies.setAccessToken(
        res,
        await accounts.refresh(refresh.refreshToken, refresh.email, req.log),
      );
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 401) throw error;
      cookies.clearSession(res);
      return redirect(res, '/signin', 'session-expired');
    }
    res.redirect(303, url(`/${next}?refreshed=1`));
  });

  router.post('/session/signout', async (req, res) => {
    const refresh = cookies.refresh(req);
    if (refresh !== undefined) {
      try {
        const { sub } = await accounts.signOutDevice(refresh.refreshToken, refresh.email);
        res.locals.sub = sub;
      } catch (error) {
        if (!(error instanceof HttpError) || error.code !== 'invalid_refresh_token') throw error;
      }
    }
    cookies.clearSession(res);
    redirect(res, '/signin', 'signed-out');
  });

  router.post('/session/signout-everywhere', async (req, res) => {
    let accessToken = cookies.accessToken(req);
    let user: PoolUser | undefined;
    try {
      if (accessToken !== undefined) user = await accounts.authenticate(accessToken);
    } catch (error) {
      if (!isRefusedToken(error)) throw error;
    }
    const refresh = cookies.refresh(req);
    if (user === undefined && refresh !== undefined) {
      accessToken = (await accounts.refresh(refresh.refreshToken, refresh.email, req.log))
        .accessToken;
      user = await accounts.authenticate(accessToken);
    }
    if (user !== undefined && accessToken !== undefined) {
      res.locals.sub = user.sub;
      await accounts.signOut(user, accessToken);
    }
    cookies.clearSession(res);
    redirect(res, '/signin', 'signed-out-everywhere');
  });

  router.use(pageErrors(page));
  return router;
}

/** The pool refused the access token (expired, revoked, signed out): 401 from GetUser. */
function isRefusedToken(error: unknown): boolean {
  return error instanceof HttpError && error.status === 401;
}

interface FormState {
  values?: Record<string, string>;
  error?: HttpError;
  notice?: string;
}

/** Where each second step of a sign-in is answered. */
const STEP_PAGES: Record<Exclude<SignInOutcome['kind'], 'signed_in'>, string> = {
  totp_required: '/signin/totp',
  totp_enrolment_required: '/signin/enrol',
  new_password_required: '/signin/new-password',
};

function messagesOf(state: FormState, notice?: string): PageMessages {
  const shown = state.notice ?? (state.error === undefined ? notice : undefined);
  return {
    ...(shown === undefined ? {} : { notice: shown }),
    ...(state.error === undefined ? {} : { error: { message: state.error.message } }),
  };
}

/** Runs middleware (rate limits) inside a handler; what it throws is thrown here. */
async function runMiddleware(
  handlers: RequestHandler[],
  req: Request,
  res: Response,
): Promise<void> {
  for (const handler of handlers) {
    await new Promise<void>((resolve, reject) => {
      const next = (error?: unknown): void => (error === undefined ? resolve() : reject(error));
      Promise.resolve(handler(req, res, next)).catch(reject);
    });
  }
}

/** The rate limits' count of a failed sign-in (a 401), as the API's error middleware does. */
async function countFailedSignIn(
  limits: RateLimits,
  error: unknown,
  req: Request,
  res: Response,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    Promise.resolve(limits.countFailedSignIn(error, req, res, () => resolve())).catch(reject);
  });
}

/** The pages' own error answer: a page saying what went wrong, never JSON. */
function pageErrors(
  page: (
    req: Request,
    res: Response,
    template: TemplateName,
    data: { title: string } & Record<string, unknown>,
    status?: number,
    error?: unknown,
  ) => void,
): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known = error instanceof HttpError ? error : undefined;
    if (known === undefined) req.log.error({ err: error }, 'unhandled error');
    else if (known.status >= 500)
      req.log.warn({ err: error, code: known.code }, 'page failed upstream');
    const status = known?.status ?? 500;
    const links: Link[] = [{ href: req.baseUrl, text: 'Back to your account' }];
    page(
      req,
      res,
      '@message-page',
      {
        title: status === 403 ? 'Request refused' : 'Something went wrong',
        error: { message: known?.message ?? 'Something went wrong on our side.' },
        links,
      },
      status,
      known,
    );
  };
}
