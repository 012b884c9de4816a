// SQL of notifications: channels, the outbox (retries, dead letters), silences, maintenance
// windows and the notifier's work list. Split from queries.ts to keep each file readable.
import type { Queryable } from '../db/pool.ts';
import type { Matcher } from './matchers.ts';
import type { ChannelKind, NotificationPayload, Severity } from './types.ts';

// --- channels ----------------------------------------------------------------------------------

export interface ChannelRow {
  id: number;
  name: string;
  kind: ChannelKind;
  settings: Record<string, unknown>;
  send_resolved: boolean;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}
// Deliberately without secret_encrypted: readonly may not select it, and the API never shows it.
const CHANNEL_COLUMNS = 'id, name, kind, settings, send_resolved, enabled, created_at, updated_at';

export async function listChannels(db: Queryable): Promise<ChannelRow[]> {
  const { rows } = await db.query<ChannelRow>(
    `SELECT ${CHANNEL_COLUMNS} FROM vigil.notification_channels ORDER BY name`,
  );
  return rows;
}

export async function getChannelWithSecret(
  db: Queryable,
  name: string,
): Promise<(ChannelRow & { secret_encrypted: Buffer | null }) | null> {
  const { rows } = await db.query<ChannelRow & { secret_encrypted: Buffer | null }>(
    `SELECT ${CHANNEL_COLUMNS}, secret_encrypted FROM vigil.notification_channels WHERE name = $1`,
    [name],
  );
  return rows[0] ?? null;
}

export interface ChannelWrite {
  name: string;
  kind: ChannelKind;
  settings: Record<string, unknown>;
  secret: Buffer | null;
  send_resolved: boolean;
  enabled: boolean;
}

export async function upsertChannel(
  db: Queryable,
  c: ChannelWrite,
  now: Date,
  replace: boolean,
): Promise<ChannelRow> {
  const { rows } = await db.query<ChannelRow>(
    `INSERT INTO vigil.notification_channels (name, kind, settings, secret_encrypted, send_resolved, enabled,
                                             created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
     ${
       replace
         ? `ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, settings = EXCLUDED.settings,
       secret_encrypted = EXCLUDED.secret_encrypted, send_resolved = EXCLUDED.send_resolved,
       enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at`
         : ''
     }
     RETURNING ${CHANNEL_COLUMNS}`,
    [c.name, c.kind, JSON.stringify(c.settings), c.secret, c.send_resolved, c.enabled, now],
  );
  return rows[0] as ChannelRow;
}

export async function deleteChannel(db: Queryable, name: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM vigil.notification_channels WHERE name = $1', [name]);
  return (rowCount ?? 0) > 0;
}

// --- outbox ------------------------------------------------------------------------------------

export interface OutboxInsert {
  channel_name: string;
  source: 'alert' | 'incident' | 'test';
  dedup_key: string;
  payload: NotificationPayload;
}

/** Queues notifications; the same (channel, dedup key) twice is queued once. */
export async function enqueue(db: Queryable, rows: OutboxInsert[], now: Date): Promise<number[]> {
  if (rows.length === 0) return [];
  const { rows: out } = await db.query<{ id: number }>(
    `INSERT INTO vigil.notification_outbox (channel_id, channel_name, source, dedup_key, payload, state,
                                           next_attempt_at, created_at, last_error)
     SELECT c.id, u.channel_name, u.source, u.dedup_key, u.payload::jsonb,
            CASE WHEN c.id IS NULL THEN 'dead' ELSE 'pending' END, $5, $5,
            CASE WHEN c.id IS NULL THEN 'no notification channel named ' || u.channel_name END
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(channel_name, source, dedup_key, payload)
       LEFT JOIN vigil.notification_channels c ON c.name = u.channel_name
     ON CONFLICT (channel_name, dedup_key) DO NOTHING
     RETURNING id`,
    [
      rows.map((r) => r.channel_name),
      rows.map((r) => r.source),
      rows.map((r) => r.dedup_key),
      rows.map((r) => JSON.stringify(r.payload)),
      now,
    ],
  );
  return out.map((r) => r.id);
}

export interface ClaimedDelivery {
  id: number;
  channel_id: number | null;
  channel_name: string;
  dedup_key: string;
  payload: NotificationPayload;
  attempts: number;
  kind: ChannelKind | null;
  settings: Record<string, unknown> | null;
  secret_encrypted: Buffer | null;
  enabled: boolean | null;
}

/** Claims due deliveries for `leaseMs` (SKIP LOCKED: several workers never take the same row). */
export async function claimDeliveries(
  db: Queryable,
  now: Date,
  limit: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimedDelivery>(
    `WITH due AS (
       SELECT id FROM vigil.notification_outbox
        WHERE state = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
        ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED),
     claimed AS (
       UPDATE vigil.notification_outbox o
          SET attempts = o.attempts + 1, locked_until = $1::timestamptz + make_interval(secs => $3::float8 / 1000)
         FROM due WHERE o.id = due.id
       RETURNING o.id, o.channel_id, o.channel_name, o.dedup_key, o.payload, o.attempts)
     SELECT claimed.*, c.kind, c.settings, c.secret_encrypted, c.enabled
       FROM claimed LEFT JOIN vigil.notification_channels c ON c.id = claimed.channel_id`,
    [now, limit, leaseMs],
  );
  return rows;
}

export async function markDelivered(db: Queryable, id: number, now: Date): Promise<void> {
  await db.query(
    `UPDATE vigil.notification_outbox SET state = 'delivered', delivered_at = $2, locked_until = NULL, last_error = NULL
      WHERE id = $1`,
    [id, now],
  );
}

/** A failed attempt: retry at nextAttempt, or a dead letter when nextAttempt is null. */
export async function markFailed(
  db: Queryable,
  id: number,
  error: string,
  nextAttempt: Date | null,
): Promise<void> {
  await db.query(
    `UPDATE vigil.notification_outbox
        SET state = CASE WHEN $3::timestamptz IS NULL THEN 'dead' ELSE 'pending' END,
            next_attempt_at = coalesce($3, next_attempt_at), locked_until = NULL, last_error = left($2, 2000)
      WHERE id = $1`,
    [id, error, nextAttempt],
  );
}

export interface DeliveryRow {
  id: number;
  channel_name: string;
  source: string;
  dedup_key: string;
  state: string;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  title: string;
}

export async function listDeliveries(
  db: Queryable,
  state: string | null,
  limit: number,
): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT id, channel_name, source, dedup_key, state, attempts, next_attempt_at, last_error, created_at,
            delivered_at, payload->>'title' AS title
       FROM vigil.notification_outbox WHERE ($1::text IS NULL OR state = $1)
      ORDER BY id DESC LIMIT $2`,
    [state, limit],
  );
  return rows;
}

/** Requeues a dead letter for a fresh round of attempts. */
export async function retryDelivery(db: Queryable, id: number, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE vigil.notification_outbox SET state = 'pending', attempts = 0, next_attempt_at = $2, locked_until = NULL
      WHERE id = $1 AND state = 'dead'`,
    [id, now],
  );
  return (rowCount ?? 0) > 0;
}

// --- silences and maintenance windows ------------------------------------------------------------

export interface SilenceRow {
  id: number;
  matchers: Matcher[];
  starts_at: Date;
  ends_at: Date;
  comment: string;
  created_by: number | null;
  created_at: Date;
}

export async function insertSilence(
  db: Queryable,
  s: { matchers: Matcher[]; starts_at: Date; ends_at: Date; comment: string; created_by: number | null },
): Promise<SilenceRow> {
  const { rows } = await db.query<SilenceRow>(
    `INSERT INTO vigil.alert_silences (matchers, starts_at, ends_at, comment, created_by)
     VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [JSON.stringify(s.matchers), s.starts_at, s.ends_at, s.comment, s.created_by],
  );
  return rows[0] as SilenceRow;
}

/** Silences not yet ended (active and future), or all when `all`. */
export async function listSilences(db: Queryable, now: Date, all: boolean): Promise<SilenceRow[]> {
  const { rows } = await db.query<SilenceRow>(
    `SELECT * FROM vigil.alert_silences WHERE $2 OR ends_at > $1 ORDER BY starts_at DESC LIMIT 1000`,
    [now, all],
  );
  return rows;
}

/** Ends a silence now (kept for the record). */
export async function expireSilence(db: Queryable, id: number, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE vigil.alert_silences SET ends_at = greatest($2, starts_at + interval '1 millisecond')
      WHERE id = $1 AND ends_at > $2`,
    [id, now],
  );
  return (rowCount ?? 0) > 0;
}

export interface MaintenanceRow {
  id: number;
  name: string;
  cron: string;
  duration_seconds: number;
  timezone: string;
  scope_region: string | null;
  scope_server_ids: number[];
  scope_labels: Record<string, string>;
  active_from: Date | null;
  active_until: Date | null;
  enabled: boolean;
  comment: string;
  created_at: Date;
}

export async function insertMaintenance(
  db: Queryable,
  w: Omit<MaintenanceRow, 'id' | 'created_at'> & { created_by: number | null },
): Promise<MaintenanceRow> {
  const { rows } = await db.query<MaintenanceRow>(
    `INSERT INTO vigil.maintenance_windows (name, cron, duration_seconds, timezone, scope_region, scope_server_ids,
       scope_labels, active_from, active_until, enabled, comment, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
    [
      w.name,
      w.cron,
      w.duration_seconds,
      w.timezone,
      w.scope_region,
      w.scope_server_ids,
      JSON.stringify(w.scope_labels),
      w.active_from,
      w.active_until,
      w.enabled,
      w.comment,
      w.created_by,
    ],
  );
  return rows[0] as MaintenanceRow;
}

export async function listMaintenance(db: Queryable): Promise<MaintenanceRow[]> {
  const { rows } = await db.query<MaintenanceRow>('SELECT * FROM vigil.maintenance_windows ORDER BY name');
  return rows;
}

export async function deleteMaintenance(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM vigil.maintenance_windows WHERE id = $1', [id]);
  return (rowCount ?? 0) > 0;
}

// --- the notifier's work list ------------------------------------------------------------------

export interface NotifyCandidate {
  id: number;
  rule_id: number;
  server_id: number;
  state: 'firing' | 'resolved';
  reason: 'threshold' | 'no_data';
  started_at: Date;
  fired_at: Date | null;
  resolved_at: Date | null;
  peak_value: number | null;
  last_value: number | null;
  notified_at: Date | null;
  muted_since: Date | null;
  acknowledged_at: Date | null;
  rule: string;
  severity: Severity;
  channels: string[];
  runbook_url: string | null;
  summary: string;
  hostname: string;
  region: string;
  environment: string;
  labels: Record<string, string>;
}

/**
 * Episodes that may owe a notice: firing and never notified, muted, or due for a repeat; and
 * resolved ones whose resolved notice is owed. Rules without channels are never candidates.
 */
export async function notifyCandidates(
  db: Queryable,
  now: Date,
  repeatMs: number,
): Promise<NotifyCandidate[]> {
  const { rows } = await db.query<NotifyCandidate>(
    `SELECT h.id, h.rule_id, h.server_id, h.state, h.reason, h.started_at, h.fired_at, h.resolved_at,
            h.peak_value, h.last_value, h.notified_at, h.muted_since, h.acknowledged_at,
            r.name AS rule, r.severity, r.channels, r.runbook_url,
            CASE WHEN h.reason = 'no_data' THEN 'no ' || r.metric || ' sample for ' || r.no_data_seconds || 's'
                 ELSE CASE WHEN r.metric_source = 'anomaly' THEN 'anomaly score' ELSE r.aggregation || '(' || r.metric || ')' END
                      || ' ' || r.operator || ' ' || r.threshold END AS summary,
            s.hostname, s.region, s.environment, s.labels
       FROM vigil.alerts_history h
       JOIN vigil.alerts_configuration r ON r.id = h.rule_id
       JOIN vigil.servers s ON s.id = h.server_id
      WHERE cardinality(r.channels) > 0
        AND ((h.state = 'firing' AND (h.notified_at IS NULL OR h.muted_since IS NOT NULL
               OR (h.acknowledged_at IS NULL AND h.notified_at <= $1::timestamptz - make_interval(secs => $2::float8 / 1000))))
          OR (h.state = 'resolved' AND h.notified_at IS NOT NULL AND h.resolved_notified_at IS NULL))`,
    [now, repeatMs],
  );
  return rows;
}

/** Records what the notifier did: notified (firing), resolved notice sent, muted or unmuted. */
export async function markNotified(
  db: Queryable,
  rows: { id: number; notified: boolean; resolvedNotified: boolean; muted: boolean; change: string | null }[],
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `UPDATE vigil.alerts_history h
        SET notified_at = CASE WHEN u.notified THEN $6 ELSE h.notified_at END,
            resolved_notified_at = CASE WHEN u.resolved_notified THEN $6 ELSE h.resolved_notified_at END,
            muted_since = CASE WHEN u.muted THEN coalesce(h.muted_since, $6) ELSE NULL END,
            state_changes = CASE WHEN u.change IS NULL THEN h.state_changes
                                 ELSE h.state_changes || jsonb_build_array(u.change::jsonb) END
       FROM unnest($1::bigint[], $2::boolean[], $3::boolean[], $4::boolean[], $5::text[])
            AS u(id, notified, resolved_notified, muted, change)
      WHERE h.id = u.id`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.notified),
      rows.map((r) => r.resolvedNotified),
      rows.map((r) => r.muted),
      rows.map((r) => r.change),
      now,
    ],
  );
}

export async function tryNotifierLock(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(
    `SELECT pg_try_advisory_xact_lock(hashtext('vigil.alerts.notifier')) AS ok`,
  );
  return rows[0]?.ok === true;
}
