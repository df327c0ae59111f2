/**
 * One error hierarchy for every HTTP server in the stack. Each error carries the
 * HTTP status and a stable snake_case `code` that clients can branch on; the
 * message is for humans and never contains upstream (Cognito/SDK) detail.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
  }
}

type Options = { cause?: unknown; headers?: Record<string, string> };

export class BadRequestError extends HttpError {
  constructor(code: string, message: string, options?: Options) {
    super(400, code, message, options);
  }
}

/** The request body or query did not match the schema; `field` names what is wrong. */
export class ValidationError extends BadRequestError {
  readonly field: string | undefined;
  constructor(message: string, field?: string, options?: Options) {
    super('validation_failed', message, options);
    this.field = field;
  }
}

export class UnauthorizedError extends HttpError {
  constructor(code: string, message: string, options?: Options) {
    super(401, code, message, options);
  }
}

export class ForbiddenError extends HttpError {
  constructor(code: string, message: string, options?: Options) {
    super(403, code, message, options);
  }
}

export class NotFoundError extends HttpError {
  constructor(code: string, message: string, options?: Options) {
    super(404, code, message, options);
  }
}

export class ConflictError extends HttpError {
  constructor(code: string, message: string, options?: Options) {
    super(409, code, message, options);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(message = 'The request body is larger than allowed.', options?: Options) {
    super(413, 'payload_too_large', message, options);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(message = 'Send the request body as application/json.', options?: Options) {
    super(415, 'unsupported_media_type', message, options);
  }
}

export class TooManyRequestsError extends HttpError {
  constructor(retryAfterSeconds: number, message = 'Too many requests; try again later.') {
    super(429, 'too_many_requests', message, {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}

export class ServiceUnavailableError extends HttpError {
  constructor(code: string, message: string, options?: Options) {
    super(503, code, message, options);
  }
}
