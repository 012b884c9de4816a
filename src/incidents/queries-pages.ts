// SQL of the incident page requests (migration 0051): the durable record of pages decided in
// an escalation transaction until the alerts module confirms it queued them.
// Re-exported by queries.ts, the module's one SQL entry point.
import type { Queryable } from '../db/pool.ts';
import type { Severity } from './types.ts';

export interface PageRequest {
  incidentId: number;
  channel: string;
  title: string;
  text: string;
  severity: Severity;
  dedupKey: string;
}

/** Records pages in the caller's transaction; handed over again at `nextEmitAt` if unconfirmed. */
export async function insertPageRequests(
  db: Queryable,
  pages: PageRequest[],
  now: Date,
  nextEmitAt: Date,
): Promise<void> {
  if (pages.length === 0) return;
  await db.query(
    `INSERT INTO vigil.incident_page_requests (incident_id, channel, dedup_key, title, body, severity,
                                              created_at, next_emit_at)
     SELECT u.*, $7, $8 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                          AS u(incident_id, channel, dedup_key, title, body, severity)
     ON CONFLICT (dedup_key) DO NOTHING`,
    [
      pages.map((p) => p.incidentId),
      pages.map((p) => p.channel),
      pages.map((p) => p.dedupKey),
      pages.map((p) => p.title),
      pages.map((p) => p.text),
      pages.map((p) => p.severity),
      now,
      nextEmitAt,
    ],
  );
}

/**
 * Unconfirmed pages due for another hand-over (all of them when `all`, after a restart),
 * rescheduled in the same statement: the next try waits base · 2^emits, capped. SKIP LOCKED
 * keeps two processes from taking the same row at the same moment.
 */
export async function claimUnconfirmedPages(
  db: Queryable,
  now: Date,
  all: boolean,
  baseMs: number,
  maxMs: number,
  limit: number,
): Promise<(PageRequest & { emits: number })[]> {
  const { rows } = await db.query<PageRequest & { emits: number }>(
    `WITH due AS (
       SELECT id FROM vigil.incident_page_requests WHERE $2 OR next_emit_at <= $1
        ORDER BY next_emit_at LIMIT $5 FOR UPDATE SKIP LOCKED)
     UPDATE vigil.incident_page_requests p
        SET emits = p.emits + 1,
            next_emit_at = $1::timestamptz + make_interval(secs => least($4::float8, $3::float8 * 2 ^ least(p.emits, 20)) / 1000)
       FROM due WHERE p.id = due.id
     RETURNING p.incident_id::int AS "incidentId", p.channel, p.title, p.body AS text, p.severity,
               p.dedup_key AS "dedupKey", p.emits`,
    [now, all, baseMs, maxMs, limit],
  );
  return rows;
}

/** The alerts module queued this page: forget it. */
export async function confirmPage(db: Queryable, channel: string, dedupKey: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'DELETE FROM vigil.incident_page_requests WHERE dedup_key = $1 AND channel = $2',
    [dedupKey, channel],
  );
  return (rowCount ?? 0) > 0;
}
