// SQL of notifications: channels, the outbox (retries, dead letters) and the notifier's work
// list. Silences and maintenance windows: queries-muting.ts.
import type { Queryable } from '../db/pool.ts';
import type { ChannelKind, NotificationPayload, Severity } from './types.ts';

// --- channels ----------------------------------------------------------------------------------

export interface ChannelRow {
  id: number;
  name: string;
  kind: ChannelKind;
  /** Absent for every role but admin: it names recipients (addresses, webhook targets). */
  settings?: Record<string, unknown>;
  send_resolved: boolean;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}
// Deliberately without secret_encrypted: only admin may select it, and the API never shows it.
const CHANNEL_COLUMNS = 'id, name, kind, settings, send_resolved, enabled, created_at, updated_at';
// What vigil_readonly and vigil_devops may select (0043): settings carries recipients' addresses.
const PUBLIC_CHANNEL_COLUMNS = 'id, name, kind, send_resolved, enabled, created_at, updated_at';

/**
 * Every channel. `withSettings` must be false for a role other than admin (and the owner):
 * PostgreSQL refuses them the settings column, so asking for it would fail the whole query.
 */
export async function listChannels(db: Queryable, withSettings = true): Promise<ChannelRow[]> {
  const { rows } = await db.query<ChannelRow>(
    `SELECT ${withSettings ? CHANNEL_COLUMNS : PUBLIC_CHANNEL_COLUMNS} FROM vigil.notification_channels ORDER BY name`,
  );
  return rows;
}

/** A channel as admin (or the owner) reads it: settings and sealed secret included. */
export type FullChannelRow = ChannelRow & {
  settings: Record<string, unknown>;
  secret_encrypted: Buffer | null;
};

export async function getChannelWithSecret(db: Queryable, name: string): Promise<FullChannelRow | null> {
  const { rows } = await db.query<FullChannelRow>(
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
  /** Deliver through this channel instead of channel_name (the template of a user: or email: target). */
  via?: string;
  /** Known undeliverable: queued straight as a dead letter with this reason. */
  dead_reason?: string;
}

/**
 * Queues notifications; the same (channel, dedup key) twice is queued once. A row whose channel
 * (or template channel) does not exist is queued as a dead letter, so the loss is visible.
 */
export async function enqueue(db: Queryable, rows: OutboxInsert[], now: Date): Promise<number[]> {
  if (rows.length === 0) return [];
  const { rows: out } = await db.query<{ id: number }>(
    `INSERT INTO vigil.notification_outbox (channel_id, channel_name, source, dedup_key, payload, state,
                                           next_attempt_at, created_at, last_error)
     SELECT c.id, u.channel_name, u.source, u.dedup_key, u.payload::jsonb,
            CASE WHEN e.reason IS NULL THEN 'pending' ELSE 'dead' END, $7, $7, e.reason
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
            AS u(channel_name, source, dedup_key, payload, via, dead_reason)
       LEFT JOIN vigil.notification_channels c ON c.name = coalesce(u.via, u.channel_name)
       CROSS JOIN LATERAL (SELECT coalesce(u.dead_reason, CASE
         WHEN c.id IS NULL AND u.via IS NULL THEN 'no notification channel named ' || u.channel_name
         WHEN c.id IS NULL THEN format('no e-mail channel named %L to send %s through; create one or set alerts.email_channel', u.via, u.channel_name)
         WHEN u.via IS NOT NULL AND c.kind <> 'email' THEN format('channel %L is a %s channel, not an e-mail channel, so it cannot send %s; set alerts.email_channel', u.via, c.kind, u.channel_name)
       END) AS reason) e
     ON CONFLICT (channel_name, dedup_key) DO NOTHING
     RETURNING id`,
    [
      rows.map((r) => r.channel_name),
      rows.map((r) => r.source),
      rows.map((r) => r.dedup_key),
      rows.map((r) => JSON.stringify(r.payload)),
      rows.map((r) => r.via ?? null),
      rows.map((r) => r.dead_reason ?? null),
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

export interface PageRecipient {
  username: string;
  email: string | null;
  disabled: boolean;
}

/**
 * The person behind a `user:<id>` target, read at send time by the delivery worker (the owner;
 * no application role may read users.email but admin). Null when the user no longer exists.
 */
export async function pageRecipient(db: Queryable, userId: number): Promise<PageRecipient | null> {
  const { rows } = await db.query<PageRecipient>(
    'SELECT username, email, disabled_at IS NOT NULL AS disabled FROM vigil.users WHERE id = $1',
    [userId],
  );
  return rows[0] ?? null;
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

/**
 * The outbox as the caller may see it: through the view of 0044, which hides `email:<address>`
 * targets (and the address in their errors) from every role but admin.
 */
export async function listDeliveries(
  db: Queryable,
  state: string | null,
  limit: number,
): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT id, channel_name, source, dedup_key, state, attempts, next_attempt_at, last_error, created_at,
            delivered_at, payload->>'title' AS title
       FROM vigil.notification_deliveries WHERE ($1::text IS NULL OR state = $1)
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
