// CHECKs, foreign keys and keys of the notification side of alerting (0040_alerting.sql):
// notification channels, the outbox, silences and maintenance windows.
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
import { insertedId } from '../helpers/sql.ts';

const { pool } = await testDatabase();
const fixtures = await seedFixtures(pool);

const t0 = new Date('2026-03-01T10:00:00Z');
const t1 = new Date('2026-03-01T12:00:00Z');
const one = (sql: string, params: unknown[] = []) => insertedId(pool, sql, params);

// Rows the keys of each table must collide with.
const channelId = await one(
  `INSERT INTO vigil.notification_channels (name, kind) VALUES ('ops-webhook', 'webhook') RETURNING id`,
);
await pool.query(
  `INSERT INTO vigil.notification_outbox (channel_id, channel_name, source, dedup_key, payload, next_attempt_at, created_at)
   VALUES ($1, 'ops-webhook', 'alert', 'alert:1:firing', '{}', now(), now())`,
  [channelId],
);
await pool.query(
  `INSERT INTO vigil.maintenance_windows (name, cron, duration_seconds) VALUES ('db patching', '0 2 * * 6', 3600)`,
);

const channel = (suffix: string) => `notification_channels_${suffix}`;
const outbox = (suffix: string) => `notification_outbox_${suffix}`;
const silence = (suffix: string) => `alert_silences_${suffix}`;
const window = (suffix: string) => `maintenance_windows_${suffix}`;
const matchers = (n: number) =>
  JSON.stringify(Array.from({ length: n }, (_, i) => ({ name: `l${i}`, op: '=', value: 'v' })));

describeConstraints(pool, fixtures, [
  {
    table: 'notification_channels',
    valid: () => ({
      name: 'oncall-mail',
      kind: 'email',
      settings: '{"to":["oncall@example.com"]}',
      secret_encrypted: Buffer.from('sealed'),
    }),
    refused: [
      check('kind pagerduty', { kind: 'pagerduty' }, channel('kind_check')),
      check('upper-case name', { name: 'Oncall' }, channel('name_check')),
      check('empty name', { name: '' }, channel('name_check')),
      check('name of 64 characters', { name: long(64, 'a') }, channel('name_check')),
      // "email:<address>" is how escalation steps page an address: no channel may take such a name.
      check('name like email:a@b', { name: 'email:a@b.io' }, channel('name_check')),
      check('settings not an object', { settings: '[]' }, channel('settings_check')),
      dup('duplicate name', { name: 'ops-webhook' }, channel('name_key')),
    ],
  },
  {
    table: 'notification_outbox',
    valid: () => ({
      channel_id: channelId,
      channel_name: 'ops-webhook',
      source: 'alert',
      dedup_key: 'alert:2:firing',
      payload: '{"title":"high_cpu on web-1"}',
      next_attempt_at: t0,
      created_at: t0,
    }),
    refused: [
      check('source sms', { source: 'sms' }, outbox('source_check')),
      check('empty dedup key', { dedup_key: '' }, outbox('dedup_key_check')),
      check('dedup key over 500 characters', { dedup_key: long(501) }, outbox('dedup_key_check')),
      check('payload not an object', { payload: '"x"' }, outbox('payload_check')),
      check('state sent', { state: 'sent' }, outbox('state_check')),
      check('negative attempts', { attempts: -1 }, outbox('attempts_check')),
      check('last error over 2000 characters', { last_error: long(2001) }, outbox('last_error_check')),
      check('delivered without delivered_at', { state: 'delivered' }, outbox('check')),
      check('pending with delivered_at', { delivered_at: t1 }, outbox('check')),
      notNull('no next attempt time', { next_attempt_at: null }),
      fk('unknown channel', { channel_id: MISSING_ID }, outbox('channel_id_fkey')),
      // A notification queued twice (a retried evaluation) is queued once.
      dup(
        'same channel and dedup key twice',
        { dedup_key: 'alert:1:firing' },
        outbox('channel_name_dedup_key_key'),
      ),
    ],
  },
  {
    table: 'alert_silences',
    valid: (f) => ({
      matchers: '[{"name":"alertname","op":"=","value":"high_cpu"}]',
      starts_at: t0,
      ends_at: t1,
      comment: 'kernel upgrade',
      created_by: f.userId,
    }),
    refused: [
      check('ends when it starts', { ends_at: t0 }, silence('check')),
      check('ends before it starts', { starts_at: t1, ends_at: t0 }, silence('check')),
      // No matcher would silence everything.
      check('no matchers', { matchers: '[]' }, silence('matchers_check')),
      check('matchers not an array', { matchers: '{"alertname":"high_cpu"}' }, silence('matchers_check')),
      check('51 matchers', { matchers: matchers(51) }, silence('matchers_check')),
      check('comment over 2000 characters', { comment: long(2001) }, silence('comment_check')),
      fk('unknown creator', { created_by: MISSING_ID }, silence('created_by_fkey')),
    ],
  },
  {
    table: 'maintenance_windows',
    valid: (f) => ({
      name: 'weekly reboot',
      cron: '0 3 * * 0',
      duration_seconds: 7200,
      timezone: 'Europe/Berlin',
      scope_region: 'eu-west',
      scope_server_ids: [f.serverId],
      scope_labels: '{"role":"db"}',
      active_from: t0,
      active_until: t1,
      created_by: f.userId,
    }),
    refused: [
      check('empty name', { name: '' }, window('name_check')),
      check('name over 200 characters', { name: long(201) }, window('name_check')),
      check('cron over 200 characters', { cron: long(201) }, window('cron_check')),
      check('59 seconds long', { duration_seconds: 59 }, window('duration_seconds_check')),
      check('longer than a week', { duration_seconds: 604801 }, window('duration_seconds_check')),
      check('scope labels not an object', { scope_labels: '[]' }, window('scope_labels_check')),
      check('active until before active from', { active_from: t1, active_until: t0 }, window('check')),
      check('comment over 2000 characters', { comment: long(2001) }, window('comment_check')),
      fk('unknown creator', { created_by: MISSING_ID }, window('created_by_fkey')),
      dup('duplicate name', { name: 'db patching' }, window('name_key')),
    ],
  },
]);
