import type { UserMigrationTriggerEvent } from 'aws-lambda';
import { createLogger, DEFAULT_PASSWORD_POLICY, type Logger } from '@authstack/shared';
import { LogCapture } from '@authstack/shared/testing';
import type {
  LegacyAuthResult,
  LegacyProfile,
  LegacyUserSource,
} from '../../src/domain/legacy-user-source';
import type { LegacyStoreMetrics } from '../../src/domain/legacy-store-call';
import type { MigrationSettings } from '../../src/domain/migrate-user';

export interface FakeLegacyUser {
  password: string;
  profile: LegacyProfile;
  /** The stored hash is of a scheme the trigger cannot verify. */
  unsupportedHash?: boolean;
}

/** A legacy store in memory; records what it was asked, and can fail or hang on demand. */
export class FakeLegacyUserSource implements LegacyUserSource {
  readonly calls: {
    method: 'authenticate' | 'lookup' | 'holdsAccount' | 'ping';
    email: string;
  }[] = [];
  fault: 'error' | 'hang' | undefined;
  lastSignal: AbortSignal | undefined;

  constructor(readonly users: Record<string, FakeLegacyUser>) {}

  async authenticate(
    email: string,
    password: string,
    signal: AbortSignal,
  ): Promise<LegacyAuthResult> {
    this.calls.push({ method: 'authenticate', email });
    await this.#maybeFail(signal);
    const user = this.users[email];
    if (!user) return { ok: false, reason: 'unknown_user' };
    if (user.unsupportedHash) return { ok: false, reason: 'unsupported_hash', hashKind: '$1$' };
    if (user.password !== password) return { ok: false, reason: 'wrong_password' };
    return { ok: true, profile: user.profile };
  }

  async lookup(email: string, signal: AbortSignal): Promise<LegacyProfile | undefined> {
    this.calls.push({ method: 'lookup', email });
    await this.#maybeFail(signal);
    return this.users[email]?.profile;
  }

  async holdsAccount(email: string, signal: AbortSignal): Promise<boolean> {
    this.calls.push({ method: 'holdsAccount', email });
    await this.#maybeFail(signal);
    return email in this.users;
  }

  async ping(signal: AbortSignal): Promise<void> {
    this.calls.push({ method: 'ping', email: '' });
    await this.#maybeFail(signal);
  }

  async #maybeFail(signal: AbortSignal): Promise<void> {
    this.lastSignal = signal;
    if (this.fault === 'error') {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
        code: 'ECONNREFUSED',
      });
    }
    if (this.fault === 'hang') {
      await new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      );
    }
  }
}

/** The invocation's metrics as the domain sees them: the latency of each legacy-store call. */
export class RecordedLatencies implements LegacyStoreMetrics {
  readonly milliseconds: number[] = [];

  legacyStoreLatency(milliseconds: number): void {
    this.milliseconds.push(milliseconds);
  }
}

export function settings(overrides: Partial<MigrationSettings> = {}): MigrationSettings {
  return {
    allowedEmailDomains: [],
    trustEmail: false,
    passwordPolicy: { ...DEFAULT_PASSWORD_POLICY },
    storeTimeoutMs: 3_000,
    ...overrides,
  };
}

export function capturedLogger(): { logger: Logger; capture: LogCapture } {
  const capture = new LogCapture();
  const logger = createLogger({ name: 'trigger-test', level: 'debug', destination: capture });
  return { logger: logger.child({ awsRequestId: 'req-1' }), capture };
}

/** A UserMigration event as Cognito sends it (no password in the forgot-password flow). */
export function migrationEvent(
  triggerSource: UserMigrationTriggerEvent['triggerSource'],
  userName: string,
  password?: string,
): UserMigrationTriggerEvent {
  return {
    version: '1',
    triggerSource,
    region: 'us-east-1',
    userPoolId: 'us-east-1_TestPool1',
    userName,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client-1' },
    request: (password === undefined
      ? { validationData: {} }
      : { password, validationData: {} }) as UserMigrationTriggerEvent['request'],
    response: {} as UserMigrationTriggerEvent['response'],
  } as UserMigrationTriggerEvent;
}
