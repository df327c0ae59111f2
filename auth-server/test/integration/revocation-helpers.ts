import { setTimeout as sleep } from 'node:timers/promises';
import type { Express } from 'express';
import type { Pool } from 'pg';
import request from 'supertest';
import { API } from './harness';

/** A row of the state store's `revocations` table. */
export interface RecordedRevocation {
  kind: string;
  subject: string;
  group: string;
  notBefore: number;
}

/** Every revocation recorded for `subject` (a sub, or an origin_jti), read straight from the table. */
export async function revocationsOf(db: Pool, subject: string): Promise<RecordedRevocation[]> {
  const { rows } = await db.query<{
    kind: string;
    subject: string;
    group_name: string;
    not_before: string;
  }>(
    `SELECT kind, subject, group_name, not_before FROM revocations
      WHERE subject = $1 ORDER BY kind, group_name`,
    [subject],
  );
  return rows.map((row) => ({
    kind: row.kind,
    subject: row.subject,
    group: row.group_name,
    notBefore: Number(row.not_before),
  }));
}

/** How many revocations the table holds. */
export async function revocationCount(db: Pool): Promise<number> {
  const { rows } = await db.query<{ count: string }>('SELECT count(*) FROM revocations');
  return Number(rows[0]?.count);
}

/** The payload of a JWT (the test's own decoding, independent of the server's). */
export function claimsOf(token: string): {
  sub: string;
  iat: number;
  origin_jti: string;
  client_id?: string;
} {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ReturnType<
    typeof claimsOf
  >;
}

/** `POST /user/token/refresh` with this refresh token. */
export function refreshRequest(app: Express, refreshToken: string): request.Test {
  return request(app).post(`${API}/user/token/refresh`).send({ refreshToken });
}

/**
 * Waits until just after the next second begins, so that what follows (a revocation, then
 * a sign-in) very likely falls within one second: the case `iat`'s granularity makes hard.
 */
export async function atStartOfSecond(): Promise<void> {
  await sleep(1_000 - (Date.now() % 1_000) + 5);
}
