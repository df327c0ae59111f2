import { validate } from '@authstack/shared';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { PoolUser } from '../domain/user-pool';

/** Who may call a route: anyone, a signed-in user, or a member of the admin group. */
export type Access = 'public' | 'user' | 'admin';

/** The signed-in caller, as the pool confirmed from the access token. */
export interface Caller {
  user: PoolUser;
  accessToken: string;
}

/** Checks the caller's access token (and group, for `admin`); throws 401/403. */
export type Authenticate = (req: Request, access: Exclude<Access, 'public'>) => Promise<Caller>;

type Method = 'get' | 'post' | 'put' | 'delete';
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
}

/** What openapi.json says about one route. */
export interface RouteDoc {
  method: Method;
  path: string;
  operationId: string;
  summary: string;
  access: Access;
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
  responses: Record<number, ResponseDoc>;
  /** The stable error codes the route may answer, by status. */
  errors: Record<number, string[]>;
}

export interface RouteInput<B, Q, P, A extends Access> {
  body: Parsed<B>;
  query: Parsed<Q>;
  params: Parsed<P>;
  caller: A extends 'public' ? null : Caller;
}

export interface RouteDefinition<
  B extends z.ZodType | undefined,
  Q extends z.ZodObject | undefined,
  P extends z.ZodObject | undefined,
  A extends Access,
> extends Omit<RouteDoc, 'body' | 'query' | 'params' | 'access' | 'errors'> {
  access: A;
  body?: B;
  query?: Q;
  params?: P;
  errors?: Record<number, string[]>;
  /** Middleware that runs first, e.g. rate limits. */
  before?: RequestHandler[];
  handle(input: RouteInput<B, Q, P, A>, res: Response, req: Request): Promise<void>;
}

const NO_QUERY = z.strictObject({});

/**
 * Registers routes on an Express router and remembers what each one accepts, so
 * openapi.json is generated from the very schemas that validate the requests.
 * Checks run in this order: the URL (path and query: unknown query parameters,
 * tokens included, are refused), then the caller, then the body. A handler receives
 * the validated input and never reads `req.body`, `req.query` or headers itself.
 */
export class ApiRouter {
  readonly router = Router();
  readonly routes: RouteDoc[] = [];
  readonly #authenticate: Authenticate;

  constructor(authenticate: Authenticate) {
    this.#authenticate = authenticate;
  }

  route<
    B extends z.ZodType | undefined = undefined,
    Q extends z.ZodObject | undefined = undefined,
    P extends z.ZodObject | undefined = undefined,
    A extends Access = 'public',
  >(definition: RouteDefinition<B, Q, P, A>): void {
    const { before = [], handle, ...doc } = definition;
    const errors = { ...definition.errors };
    if (definition.body || definition.params || definition.query) {
      addErrors(errors, 400, ['validation_failed']);
    }
    if (definition.body) addErrors(errors, 400, ['invalid_json']);
    if (definition.access !== 'public') addErrors(errors, 401, ['invalid_token']);
    if (definition.access === 'admin') addErrors(errors, 403, ['forbidden']);
    this.routes.push({ ...doc, errors });

    const handler: RequestHandler = async (req, res) => {
      const params = (
        definition.params ? validate(definition.params, req.params, 'path') : undefined
      ) as Parsed<P>;
      const query = validate(definition.query ?? NO_QUERY, req.query, 'query') as Parsed<Q>;
      const caller =
        definition.access === 'public' ? null : await this.#authenticate(req, definition.access);
      if (caller) res.locals.sub = caller.user.sub;
      const body = (definition.body ? validate(definition.body, req.body) : undefined) as Parsed<B>;
      const input = { body, query, params, caller } as RouteInput<B, Q, P, A>;
      await handle(input, res, req);
    };
    this.router[definition.method](definition.path, ...before, handler);
  }
}

function addErrors(errors: Record<number, string[]>, status: number, codes: string[]): void {
  errors[status] = [...new Set([...(errors[status] ?? []), ...codes])];
}
