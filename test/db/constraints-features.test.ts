// CHECKs, foreign keys and keys of the feature tables: rollups (0030), escalation policies and
// postmortems (0050), anomaly settings and state (0060). The last test checks that every table of
// schema vigil with a CHECK or FOREIGN KEY has a constraint suite in some test/db file.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import {
  MISSING_ID,
  check,
  describeConstraints,
  dup,
  fk,
  long,
  notNull,
  seedFixtures,
} from '../helpers/constraints.ts';
import { testDatabase } from '../helpers/database.ts';
import { assertRefused, insertedId } from '../helpers/sql.ts';

const { pool } = await testDatabase();
const fixtures = await seedFixtures(pool);

const t0 = new Date('2026-03-01T10:00:00Z');
const one = (sql: string, params: unknown[] = []) => insertedId(pool, sql, params);

// Rows the keys of each table must collide with.
const policyId = await one(
  `INSERT INTO vigil.escalation_policies (name, is_default) VALUES ('default-oncall', true) RETURNING id`,
);
await pool.query(
  `INSERT INTO vigil.escalation_policy_steps (policy_id, position, notify_user_id, wait_minutes) VALUES ($1, 0, $2, 5)`,
  [policyId, fixtures.userId],
);
await pool.query(`INSERT INTO vigil.anomaly_settings (server_id, sensitivity) VALUES ($1, 2)`, [
  fixtures.serverId,
]);
await pool.query(
  `INSERT INTO vigil.metrics_hourly (server_id, bucket, samples, up_slots, first_ts, last_ts)
   VALUES ($1, $2, 1, 1, $2, $2)`,
  [fixtures.serverId, t0],
);

const hourly = (suffix: string) => `metrics_hourly_${suffix}`;
const daily = (suffix: string) => `metrics_daily_${suffix}`;
const policy = (suffix: string) => `escalation_policies_${suffix}`;
const step = (suffix: string) => `escalation_policy_steps_${suffix}`;
const postmortem = (suffix: string) => `incident_postmortems_${suffix}`;
const rollup = (bucket: string) => (f: { serverId: number }) => ({
  server_id: f.serverId,
  bucket: new Date(bucket),
  samples: 60,
  up_slots: 12,
  first_ts: t0,
  last_ts: t0,
  cpu_usage_min: 1,
  cpu_usage_max: 9,
  cpu_usage_sum: 300,
  cpu_usage_count: 60,
});

describeConstraints(pool, fixtures, [
  {
    table: 'metrics_hourly',
    valid: rollup('2026-03-01T11:00:00Z'),
    refused: [
      check('bucket at half past', { bucket: new Date('2026-03-01T10:30:00Z') }, hourly('bucket_check')),
      // Buckets are UTC hours: an hour of a half-hour time zone is not one.
      check(
        'bucket on a +05:30 hour',
        { bucket: new Date('2026-03-01T10:00:00+05:30') },
        hourly('bucket_check'),
      ),
      check('no samples', { samples: 0 }, hourly('samples_check')),
      check('negative up slots', { up_slots: -1 }, hourly('up_slots_check')),
      fk('unknown server', { server_id: MISSING_ID }, hourly('server_id_fkey')),
      dup('same server and hour twice', { bucket: t0 }, hourly('pkey')),
    ],
  },
  {
    table: 'metrics_daily',
    valid: rollup('2026-03-01T00:00:00Z'),
    refused: [
      check('bucket at 10:00', { bucket: t0 }, daily('bucket_check')),
      check(
        'bucket at midnight +02:00',
        { bucket: new Date('2026-03-01T00:00:00+02:00') },
        daily('bucket_check'),
      ),
      check('no samples', { samples: 0 }, daily('samples_check')),
      check('negative up slots', { up_slots: -1 }, daily('up_slots_check')),
      fk('unknown server', { server_id: MISSING_ID }, daily('server_id_fkey')),
    ],
  },
  {
    // The migration seeds one row per stage; each case frees 'hourly' to insert it again.
    table: 'rollup_state',
    prepare: (c) => c.query(`DELETE FROM vigil.rollup_state WHERE stage = 'hourly'`),
    valid: () => ({ stage: 'hourly', as_of: t0, last_run_at: t0, last_duration_ms: 12 }),
    refused: [
      check('stage weekly', { stage: 'weekly' }, 'rollup_state_stage_check'),
      dup('a stage twice', { stage: 'daily' }, 'rollup_state_pkey'),
    ],
  },
  {
    table: 'escalation_policies',
    valid: () => ({ name: 'db-oncall', description: 'database team', repeat_count: 2, stop_on_ack: false }),
    refused: [
      check('upper-case name', { name: 'DB' }, policy('name_check')),
      check('empty name', { name: '' }, policy('name_check')),
      check('name of 101 characters', { name: long(101, 'a') }, policy('name_check')),
      check('description over 2000 characters', { description: long(2001) }, policy('description_check')),
      check('negative repeat count', { repeat_count: -1 }, policy('repeat_count_check')),
      check('21 repeats', { repeat_count: 21 }, policy('repeat_count_check')),
      dup('duplicate name', { name: 'default-oncall' }, policy('name_key')),
      // Incidents opened from alerts get the default policy: there can be only one.
      dup('a second default policy', { is_default: true }, policy('one_default')),
    ],
  },
  {
    table: 'escalation_policy_steps',
    valid: (f) => ({ policy_id: policyId, position: 1, notify_user_id: f.userId, channels: ['ops-slack'], wait_minutes: 15 }), // prettier-ignore
    refused: [
      check('position -1', { position: -1 }, step('position_check')),
      check('position 20', { position: 20 }, step('position_check')),
      check('wait 0 minutes', { wait_minutes: 0 }, step('wait_minutes_check')),
      check('wait over a week', { wait_minutes: 10081 }, step('wait_minutes_check')),
      check(
        '11 channels',
        { channels: Array.from({ length: 11 }, (_, i) => `c${i}`) },
        step('channels_check'),
      ),
      // A step that pages nobody would silently swallow an escalation.
      check('neither a user nor a channel', { notify_user_id: null, channels: [] }, step('check')),
      fk('unknown policy', { policy_id: MISSING_ID }, step('policy_id_fkey')),
      fk('unknown user', { notify_user_id: MISSING_ID }, step('notify_user_id_fkey')),
      dup('two steps at one position', { position: 0 }, step('pkey')),
    ],
  },
  {
    table: 'incident_postmortems',
    valid: (f) => ({
      incident_id: f.incidentId,
      summary: 'primary ran out of disk',
      impact: 'writes failed for 12 minutes',
      root_cause: 'WAL archiving stalled',
      action_items: '[{"title":"alert on archive lag","owner":"alice","due":null,"done":false}]',
      created_by: f.userId,
      updated_by: f.userId,
    }),
    refused: [
      check('summary over 20000 characters', { summary: long(20001) }, postmortem('summary_check')),
      check('impact over 20000 characters', { impact: long(20001) }, postmortem('impact_check')),
      check('root cause over 20000 characters', { root_cause: long(20001) }, postmortem('root_cause_check')),
      check('action items not an array', { action_items: '{}' }, postmortem('action_items_check')),
      check('101 action items', { action_items: JSON.stringify(Array(101).fill({ title: 'x' })) }, postmortem('action_items_check')), // prettier-ignore
      fk('unknown incident', { incident_id: MISSING_ID }, postmortem('incident_id_fkey')),
      fk('unknown creator', { created_by: MISSING_ID }, postmortem('created_by_fkey')),
      fk('unknown editor', { updated_by: MISSING_ID }, postmortem('updated_by_fkey')),
    ],
  },
  {
    table: 'anomaly_settings',
    valid: (f) => ({ server_id: f.otherServerId, sensitivity: 0.5, muted: true, muted_until: t0 }),
    refused: [
      check('sensitivity 0', { sensitivity: 0 }, 'anomaly_settings_sensitivity_check'),
      check('negative sensitivity', { sensitivity: -1 }, 'anomaly_settings_sensitivity_check'),
      check('sensitivity 10.5', { sensitivity: 10.5 }, 'anomaly_settings_sensitivity_check'),
      check('sensitivity NaN', { sensitivity: NaN }, 'anomaly_settings_sensitivity_check'),
      fk('unknown server', { server_id: MISSING_ID }, 'anomaly_settings_server_id_fkey'),
      dup('a server twice', (f) => ({ server_id: f.serverId }), 'anomaly_settings_pkey'),
    ],
  },
  {
    table: 'anomaly_state',
    valid: (f) => ({ server_id: f.serverId, scored_to: t0 }),
    refused: [
      notNull('no watermark', { scored_to: null }),
      check('last score above 1', { last_score: 1.5 }, 'anomaly_state_last_score_check'),
      check('last score NaN', { last_score: NaN }, 'anomaly_state_last_score_check'),
      fk('unknown server', { server_id: MISSING_ID }, 'anomaly_state_server_id_fkey'),
    ],
  },
  {
    table: 'incident_page_requests',
    valid: (f) => ({
      incident_id: f.incidentId,
      channel: 'ops',
      dedup_key: 'incident-notify:1',
      title: 'paged',
      body: 'text',
      severity: 'critical',
      created_at: t0,
      next_emit_at: t0,
    }),
    refused: [
      check('empty channel', { channel: '' }, 'incident_page_requests_channel_check'),
      check('empty dedup key', { dedup_key: '' }, 'incident_page_requests_dedup_key_check'),
      check('title over 1000 characters', { title: 'x'.repeat(1001) }, 'incident_page_requests_title_check'),
      check('body over 10000 characters', { body: 'x'.repeat(10001) }, 'incident_page_requests_body_check'),
      check('unknown severity', { severity: 'sev1' }, 'incident_page_requests_severity_check'),
      check('negative emits', { emits: -1 }, 'incident_page_requests_emits_check'),
      fk('unknown incident', { incident_id: MISSING_ID }, 'incident_page_requests_incident_id_fkey'),
    ],
  },
]);

test('a user an escalation step pages cannot be deleted (disable or anonymize them instead)', async () => {
  await assertRefused(pool.query('DELETE FROM vigil.users WHERE id = $1', [fixtures.userId]), {
    sqlstate: '23503',
    constraint: 'escalation_policy_steps_notify_user_id_fkey',
  });
});

test('every table with a CHECK or FOREIGN KEY has a constraint suite in test/db', async () => {
  const dir = import.meta.dirname;
  const covered = new Set(
    readdirSync(dir)
      .filter((f) => /^constraints-.*\.test\.ts$/.test(f))
      .flatMap((f) => [...readFileSync(`${dir}/${f}`, 'utf8').matchAll(/^\s+table: '(\w+)',$/gm)])
      .map((m) => m[1]),
  );
  const { rows } = await pool.query<{ t: string }>(
    `SELECT DISTINCT r.relname AS t FROM pg_constraint c
       JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = 'vigil' AND c.contype IN ('c', 'f') AND NOT r.relispartition
        AND r.relname <> 'schema_migrations' ORDER BY 1`,
  );
  assert.ok(rows.length >= 20);
  const missing = rows.map((r) => r.t).filter((t) => !covered.has(t));
  assert.deepEqual(missing, [], 'add a describeConstraints suite for these tables');
});
