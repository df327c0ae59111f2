import { z } from 'zod';
import type {
  LegacyAuthResult,
  LegacyListFilter,
  LegacyProfile,
  LegacyUserDirectory,
  LegacyUserPage,
  LegacyUserSource,
} from '../domain/legacy-user-source';

/** What the legacy login endpoint answers with a 200. */
const profileSchema = z.object({
  email: z.string().min(1),
  name: z.string().optional(),
  emailVerified: z.boolean().optional(),
  disabled: z.boolean().optional(),
});

/** What the legacy listing endpoint answers with a 200 (the bulk import). */
const pageSchema = z.object({
  users: z.array(profileSchema),
  next: z.string().min(1).nullish(),
  total: z.number().int().nonnegative().optional(),
});

/** Statuses that mean "these credentials (or this user) are not valid", not a fault. */
const REJECTED = new Set([401, 403, 404]);

export interface HttpLegacyUserSourceOptions {
  /** POST `{email, password}` → 200 profile | 401/403/404. */
  authUrl: string;
  /**
   * POST `{email}` → 200 profile | 404; without it the forgot-password flow migrates nobody
   * and the PreSignUp check refuses every sign-up (it cannot tell who is known).
   */
  lookupUrl?: string;
  /**
   * GET `?limit=N[&after=<next>][&since=<ISO 8601>]` → 200 `{users: [profile], next?, total?}`,
   * users in a stable order, `next` absent or null after the last page, `total` (optional) the
   * number of users in all. Only the bulk import lists users.
   */
  listUrl?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export class LegacyAuthEndpointError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LegacyAuthEndpointError';
  }
}

/**
 * A legacy login endpoint. The password goes to it in the request body (never in the
 * URL), redirects are refused so credentials cannot be forwarded elsewhere, and every
 * call is bounded by `timeoutMs`. Anything but 200 or a rejection status is a fault.
 */
export class HttpLegacyUserSource implements LegacyUserSource, LegacyUserDirectory {
  readonly #options: HttpLegacyUserSourceOptions;
  readonly #fetch: typeof fetch;

  constructor(options: HttpLegacyUserSourceOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
  }

  async authenticate(
    email: string,
    password: string,
    signal: AbortSignal,
  ): Promise<LegacyAuthResult> {
    const profile = await this.#post(this.#options.authUrl, { email, password }, signal);
    return profile ? { ok: true, profile } : { ok: false, reason: 'rejected_by_legacy_auth' };
  }

  async lookup(email: string, signal: AbortSignal): Promise<LegacyProfile | undefined> {
    if (!this.#options.lookupUrl) return undefined;
    return this.#post(this.#options.lookupUrl, { email }, signal);
  }

  /** Needs the lookup endpoint: without it the store cannot tell, which is a fault (fail closed). */
  async holdsAccount(email: string, signal: AbortSignal): Promise<boolean> {
    if (!this.#options.lookupUrl) {
      throw new LegacyAuthEndpointError('LEGACY_LOOKUP_URL is not set: cannot tell who is known');
    }
    return (await this.#post(this.#options.lookupUrl, { email }, signal)) !== undefined;
  }

  /** Any answer below 500 from the login endpoint's URL (a `HEAD`, no credentials) is reachable. */
  async ping(signal: AbortSignal): Promise<void> {
    const response = await this.#fetch(this.#options.authUrl, {
      method: 'HEAD',
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.#options.timeoutMs)]),
    });
    await response.body?.cancel();
    if (response.status >= 500) {
      throw new LegacyAuthEndpointError(`Legacy auth endpoint answered ${response.status}`);
    }
  }

  async listUsers(filter: LegacyListFilter, signal: AbortSignal): Promise<LegacyUserPage> {
    const page = await this.#list(filter, signal);
    return {
      users: page.users.map((user) => ({ ...toProfile(user), rows: 1 })),
      ...(page.next ? { next: page.next } : {}),
    };
  }

  async countUsers(since: Date | undefined, signal: AbortSignal): Promise<number | undefined> {
    return (await this.#list({ limit: 1, ...(since ? { since } : {}) }, signal)).total;
  }

  async #list(filter: LegacyListFilter, signal: AbortSignal): Promise<z.infer<typeof pageSchema>> {
    if (!this.#options.listUrl) {
      throw new LegacyAuthEndpointError('LEGACY_LIST_URL is not set: cannot list the legacy users');
    }
    const url = new URL(this.#options.listUrl);
    url.searchParams.set('limit', String(filter.limit));
    if (filter.after) url.searchParams.set('after', filter.after);
    if (filter.since) url.searchParams.set('since', filter.since.toISOString());
    const response = await this.#fetch(url, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.#options.timeoutMs)]),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new LegacyAuthEndpointError(`Legacy list endpoint answered ${response.status}`);
    }
    const parsed = pageSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new LegacyAuthEndpointError('Legacy list endpoint answered 200 without a valid page');
    }
    return parsed.data;
  }

  async #post(url: string, body: object, signal: AbortSignal): Promise<LegacyProfile | undefined> {
    const response = await this.#fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(this.#options.timeoutMs)]),
    });
    if (REJECTED.has(response.status)) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new LegacyAuthEndpointError(`Legacy auth endpoint answered ${response.status}`);
    }
    const parsed = profileSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new LegacyAuthEndpointError(
        'Legacy auth endpoint answered 200 without a valid profile',
      );
    }
    return toProfile(parsed.data);
  }
}

function toProfile({
  email,
  name,
  emailVerified,
  disabled,
}: z.infer<typeof profileSchema>): LegacyProfile {
  const trimmedName = name?.trim();
  return {
    email,
    ...(trimmedName ? { name: trimmedName } : {}),
    emailVerified: emailVerified ?? false,
    disabled: disabled ?? false,
  };
}
