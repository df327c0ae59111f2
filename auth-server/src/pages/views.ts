import { HttpError, ValidationError } from '@authstack/shared';
import { Eta } from 'eta';
import type { Request, Response } from 'express';
import { TEMPLATES, type TemplateName } from './templates';

/** One input of a form; `error` is the message tied to it. */
export interface Field {
  name: string;
  label: string;
  type: 'email' | 'password' | 'text';
  autocomplete: string;
  value?: string;
  hint?: string;
  inputmode?: 'numeric';
  error?: string;
  focus?: boolean;
}

export interface Form {
  action: string;
  submit: string;
  fields?: Field[];
  buttonClass?: 'primary' | 'secondary';
  csrfToken: string;
}

export interface Link {
  href: string;
  text: string;
}

/** What a page shows above its content: a confirmation, or what went wrong. */
export interface PageMessages {
  notice?: string;
  error?: { message: string };
}

const eta = new Eta({ autoEscape: true, cache: true, useWith: false });
for (const [name, template] of Object.entries(TEMPLATES)) eta.loadTemplate(name, template);

/** The HTML of `template` within the layout; every value is escaped by Eta. */
export function renderPage(
  template: TemplateName,
  data: { title: string; base: string; site: string; signedIn: boolean } & PageMessages &
    Record<string, unknown>,
): string {
  return eta.render(template, data);
}

/** Sends a page with `status`, and the headers an error asks for (e.g. Retry-After). */
export function sendPage(res: Response, status: number, html: string, error?: unknown): void {
  if (error instanceof HttpError) {
    for (const [name, value] of Object.entries(error.headers)) {
      if (name.toLowerCase() !== 'www-authenticate') res.setHeader(name, value);
    }
  }
  res.status(status).type('html').send(html);
}

/** Codes whose message is about one field, by the field's name (the API's field names). */
const FIELD_OF_CODE: Record<string, string[]> = {
  invalid_code: ['code'],
  expired_code: ['code'],
  code_already_used: ['code'],
  email_taken: ['email'],
  incorrect_password: ['previousPassword', 'password'],
  weak_password: ['password', 'newPassword', 'proposedPassword'],
};

/**
 * The fields with the error tied to the one it is about, the first invalid field focused
 * (or the first field when the error is about the whole form). Values typed into password
 * fields are never sent back.
 */
export function withError(fields: Field[], error: HttpError | undefined): Field[] {
  const names = new Set(fields.map((field) => field.name));
  const about = error === undefined ? undefined : fieldOfError(error, names);
  return fields.map((field, index) => ({
    ...field,
    ...(field.type === 'password' ? { value: undefined } : {}),
    ...(about === field.name && error !== undefined ? { error: error.message, focus: true } : {}),
    ...(about === undefined && index === 0 ? { focus: true } : {}),
  }));
}

function fieldOfError(error: HttpError, names: Set<string>): string | undefined {
  if (error instanceof ValidationError) {
    return error.field !== undefined && names.has(error.field) ? error.field : undefined;
  }
  if (error.code === 'weak_password') {
    const named = /^(\w+):/.exec(error.message)?.[1];
    if (named !== undefined && names.has(named)) return named;
  }
  return FIELD_OF_CODE[error.code]?.find((name) => names.has(name));
}

/** The request's own form values (strings only), `_csrf` left out, for the API's schemas. */
export function formValues(req: Request): Record<string, string> {
  const body: unknown = req.body;
  const values: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return values;
  for (const [name, value] of Object.entries(body)) {
    if (name !== '_csrf' && typeof value === 'string') values[name] = value;
  }
  return values;
}
