import { Client } from 'pg';
import type { Logger } from '../logger';
import { stateClientConfig } from './pool';
import { loadRevocations, parseRevocationNotice, RevocationList } from './revocations';

export const REVOCATION_CHANNEL = 'revocations';

export interface RevocationFeedOptions {
  databaseUrl: string;
  logger: Logger;
  applicationName: string;
  list?: RevocationList;
  /** How often the connection is proved alive (a round trip); also bounds how stale a copy can look. */
  heartbeatMs?: number;
  /** Wait before reconnecting after a fault; short, so the feed recovers quickly. */
  retryMs?: number;
  /** How often expired revocations are dropped from memory. */
  pruneMs?: number;
  clock?: () => number;
}

export type FeedState = 'connecting' | 'live' | 'disconnected' | 'stopped';

export interface FeedStatus {
  state: FeedState;
  /** Since when the copy may have missed revocations (0 while live and proved current). */
  stalenessMs: number | null;
  /** When the copy was last proved complete; null before the first full load. */
  syncedAt: Date | null;
  revocations: number;
}

/**
 * Keeps a `RevocationList` current from the state store: LISTEN on the revocations
 * channel, then a full reload (at start and after every reconnect), then a heartbeat.
 * Postgres delivers a notification before the answer to any query that began after it
 * committed, so each answered heartbeat proves the copy complete up to when it was sent.
 *
 * Hand-written on `pg`'s Client: the npm LISTEN wrappers are unmaintained or do not
 * reload after a reconnect, and that reload is what makes the copy trustworthy.
 */
export class RevocationFeed {
  readonly list: RevocationList;
  readonly #options: Required<Omit<RevocationFeedOptions, 'list'>>;
  #client: Client | undefined;
  #state: FeedState = 'connecting';
  #syncedAt: number | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  #prune: NodeJS.Timeout | undefined;
  #firstSync: Promise<void>;
  #resolveFirstSync!: () => void;
  #failures = 0;

  constructor(options: RevocationFeedOptions) {
    this.list = options.list ?? new RevocationList();
    this.#options = {
      heartbeatMs: 1000,
      retryMs: 500,
      pruneMs: 60_000,
      clock: Date.now,
      ...options,
    };
    this.#firstSync = new Promise((resolve) => {
      this.#resolveFirstSync = resolve;
    });
  }

  /** Starts connecting; the promise settles at the first complete load (it may never). */
  start(): Promise<void> {
    void this.#connect();
    this.#prune = setInterval(() => {
      this.list.prune(Math.floor(this.#options.clock() / 1000));
    }, this.#options.pruneMs).unref();
    return this.#firstSync;
  }

  async stop(): Promise<void> {
    this.#state = 'stopped';
    clearInterval(this.#heartbeat);
    clearInterval(this.#prune);
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  status(): FeedStatus {
    const now = this.#options.clock();
    return {
      state: this.#state,
      stalenessMs: this.#syncedAt === undefined ? null : Math.max(0, now - this.#syncedAt),
      syncedAt: this.#syncedAt === undefined ? null : new Date(this.#syncedAt),
      revocations: this.list.size,
    };
  }

  /** Milliseconds since the copy was last proved complete; Infinity before the first load. */
  stalenessMs(): number {
    return this.#syncedAt === undefined ? Infinity : this.#options.clock() - this.#syncedAt;
  }

  async #connect(): Promise<void> {
    if (this.#state === 'stopped') return;
    const { logger, databaseUrl, applicationName } = this.#options;
    const client = new Client(stateClientConfig(databaseUrl, { applicationName }));
    this.#client = client;
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('connection closed')));
    client.on('notification', (message) => {
      if (message.channel !== REVOCATION_CHANNEL) return;
      const revocation = parseRevocationNotice(message.payload);
      if (revocation) this.list.apply(revocation);
      else logger.warn('malformed revocation notice ignored');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
      const started = this.#options.clock();
      const loaded = await loadRevocations(client, Math.floor(started / 1000), (revocation) => {
        this.list.apply(revocation);
      });
      if (this.#client !== client) return;
      this.#syncedAt = started;
      const wasDown = this.#failures > 0;
      this.#failures = 0;
      this.#state = 'live';
      logger.info(
        {
          revocations: this.list.size,
          loaded,
          durationMs: this.#options.clock() - started,
        },
        wasDown ? 'revocation feed reconnected; full reload done' : 'revocations loaded',
      );
      this.#resolveFirstSync();
      this.#heartbeat = setInterval(() => void this.#beat(client), this.#options.heartbeatMs);
      this.#heartbeat.unref();
    } catch (error) {
      this.#lost(client, error);
    }
  }

  async #beat(client: Client): Promise<void> {
    const sent = this.#options.clock();
    try {
      await client.query('SELECT 1');
      if (this.#client === client && sent > (this.#syncedAt ?? 0)) this.#syncedAt = sent;
    } catch (error) {
      this.#lost(client, error);
    }
  }

  /** Drops a failed connection once and schedules a new one. */
  #lost(client: Client, error: unknown): void {
    if (this.#client !== client || this.#state === 'stopped') return;
    this.#client = undefined;
    clearInterval(this.#heartbeat);
    this.#failures += 1;
    if (this.#state !== 'disconnected' || this.#failures === 1) {
      this.#options.logger.warn(
        {
          errorMessage: error instanceof Error ? error.message : String(error),
          stalenessMs: Number.isFinite(this.stalenessMs()) ? this.stalenessMs() : null,
        },
        'revocation feed lost the state store; serving from the last copy and reconnecting',
      );
    }
    this.#state = 'disconnected';
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    this.#retry = setTimeout(() => void this.#connect(), this.#options.retryMs);
    this.#retry.unref();
  }
}
