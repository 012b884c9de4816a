// CHECKs and foreign keys of incidents, the append-only incident timeline, and anomalies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MISSING_ID,
  check,
  describeConstraints,
  dup,
  fk,
  long,
  seedFixtures,
} from '../helpers/constraints.ts';
import { testDatabase } from '../helpers/database.ts';
import { assertRefused } from '../helpers/sql.ts';

const { pool } = await testDatabase();
const fixtures = await seedFixtures(pool);

const incident = (suffix: string) => `incidents_${suffix}`;
const t0 = new Date('2026-03-01T10:00:00Z');
const before = new Date('2026-03-01T09:00:00Z');

describeConstraints(pool, fixtures, [
  {
    table: 'incidents',
    valid: (f) => ({ title: 'database down', severity: 'critical', created_at: t0, assignee_id: f.userId }),
    refused: [
      check('status closed', { status: 'closed' }, incident('status_check')),
      check('resolved without resolved_at', { status: 'resolved' }, incident('check2')),
      check('triggered with resolved_at', { resolved_at: t0 }, incident('check2')),
      check('acknowledged without acknowledged_at', { status: 'acknowledged' }, incident('check3')),
      check('acknowledged before it was created', { acknowledged_at: before }, incident('check')),
      check(
        'resolved before it was created',
        { status: 'resolved', resolved_at: before },
        incident('check1'),
      ),
      check('empty title', { title: '' }, incident('title_check')),
      check('title over 300 characters', { title: long(301) }, incident('title_check')),
      check('summary over 20000 characters', { summary: long(20001) }, incident('summary_check')),
      check('severity p1', { severity: 'p1' }, incident('severity_check')),
      fk('unknown assignee', { assignee_id: MISSING_ID }, incident('assignee_id_fkey')),
      fk('unknown creator', { created_by: MISSING_ID }, incident('created_by_fkey')),
    ],
  },
  {
    table: 'incident_response_logs',
    valid: (f) => ({ incident_id: f.incidentId, action: 'note_added', details: '{"text":"restarted"}' }),
    refused: [
      check('unknown action', { action: 'deleted' }, 'incident_response_logs_action_check'),
      check('details not an object', { details: '[]' }, 'incident_response_logs_details_check'),
      fk('unknown incident', { incident_id: MISSING_ID }, 'incident_response_logs_incident_id_fkey'),
      fk('unknown actor', { actor_user_id: MISSING_ID }, 'incident_response_logs_actor_user_id_fkey'),
    ],
  },
  {
    table: 'anomalies',
    valid: (f) => ({ server_id: f.serverId, ts: t0, metrics: ['cpu_usage'], score: 0.9, method: 'ewma' }),
    refused: [
      check('score above 1', { score: 1.01 }, 'anomalies_score_check'),
      check('negative score', { score: -0.1 }, 'anomalies_score_check'),
      check('score NaN', { score: NaN }, 'anomalies_score_check'),
      check('no metrics', { metrics: [] }, 'anomalies_metrics_check'),
      check(
        '33 metrics',
        { metrics: Array.from({ length: 33 }, (_, i) => `m${i}`) },
        'anomalies_metrics_check',
      ),
      check('unknown method', { method: 'lstm' }, 'anomalies_method_check'),
      check('explanation over 1000 characters', { explanation: long(1001) }, 'anomalies_explanation_check'),
      fk('unknown server', { server_id: MISSING_ID }, 'anomalies_server_id_fkey'),
      dup(
        'same server, time and method twice',
        (f) => ({ ts: f.takenTs }),
        'anomalies_server_id_ts_method_key',
      ),
    ],
  },
]);

// The timeline is evidence: not even the owner (the user Vigil connects as) may rewrite it.
const appendOnly = (op: string) => ({ sqlstate: '42501', message: new RegExp(`append-only: ${op} refused`) });

test('the incident timeline refuses UPDATE even for the owner', async () => {
  await assertRefused(
    pool.query(`UPDATE vigil.incident_response_logs SET action = 'resolved' WHERE incident_id = $1`, [
      fixtures.incidentId,
    ]),
    appendOnly('UPDATE'),
  );
});

test('the incident timeline refuses DELETE and TRUNCATE even for the owner', async () => {
  await assertRefused(
    pool.query('DELETE FROM vigil.incident_response_logs WHERE incident_id = $1', [fixtures.incidentId]),
    appendOnly('DELETE'),
  );
  await assertRefused(pool.query('TRUNCATE vigil.incident_response_logs'), appendOnly('TRUNCATE'));
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM vigil.incident_response_logs');
  assert.equal(rows[0].n, 1);
});

test('an incident with a timeline cannot be deleted (ON DELETE RESTRICT)', async () => {
  await assertRefused(pool.query('DELETE FROM vigil.incidents WHERE id = $1', [fixtures.incidentId]), {
    sqlstate: '23503',
    constraint: 'incident_response_logs_incident_id_fkey',
  });
});
