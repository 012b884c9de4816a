// CHECKs, foreign keys and keys of alert rules (alerts_configuration) and alert episodes
// (alerts_history), including "one open episode per rule and server".
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

const { pool } = await testDatabase();
const fixtures = await seedFixtures(pool);

const rule = (suffix: string) => `alerts_configuration_${suffix}`;
const episode = (suffix: string) => `alerts_history_${suffix}`;
const t0 = new Date('2026-03-01T10:00:00Z');
const before = new Date('2026-03-01T09:00:00Z');

describeConstraints(pool, fixtures, [
  {
    table: 'alerts_configuration',
    valid: () => ({
      name: 'high cpu',
      metric: 'cpu_usage',
      operator: '>',
      threshold: 90,
      clear_threshold: 80,
      window_seconds: 300,
      for_seconds: 120,
      no_data_seconds: 600,
      runbook_url: 'https://runbooks.example.com/cpu',
    }),
    refused: [
      check('operator =>', { operator: '=>', clear_threshold: null }, rule('operator_check')),
      check('empty operator', { operator: '', clear_threshold: null }, rule('operator_check')),
      // Hysteresis: the alert must clear on the healthy side of its threshold.
      check('> with clear threshold above threshold', { clear_threshold: 95 }, rule('check')),
      check(
        '< with clear threshold below threshold',
        { operator: '<', threshold: 10, clear_threshold: 5 },
        rule('check'),
      ),
      check('window of 9 s', { window_seconds: 9 }, rule('window_seconds_check')),
      check('window over a day', { window_seconds: 86401 }, rule('window_seconds_check')),
      check('negative for', { for_seconds: -1 }, rule('for_seconds_check')),
      check('for over a week', { for_seconds: 604801 }, rule('for_seconds_check')),
      check(
        'keep firing over a week',
        { keep_firing_for_seconds: 604801 },
        rule('keep_firing_for_seconds_check'),
      ),
      check('no-data of 5 s', { no_data_seconds: 5 }, rule('no_data_seconds_check')),
      check('runbook over ftp', { runbook_url: 'ftp://example.com/x' }, rule('runbook_url_check')),
      check('runbook javascript: URL', { runbook_url: 'javascript:alert(1)' }, rule('runbook_url_check')),
      check('threshold NaN', { threshold: NaN, clear_threshold: null }, rule('threshold_check')),
      check('threshold Infinity', { threshold: Infinity, clear_threshold: null }, rule('threshold_check')),
      check('severity page', { severity: 'page' }, rule('severity_check')),
      check('metric source sql', { metric_source: 'sql' }, rule('metric_source_check')),
      check('aggregation median', { aggregation: 'median' }, rule('aggregation_check')),
      check('metric with a space', { metric: 'cpu usage' }, rule('metric_check')),
      check('empty name', { name: '' }, rule('name_check')),
      check('description over 2000 characters', { description: long(2001) }, rule('description_check')),
      check('series labels not an object', { series_labels: '[]' }, rule('series_labels_check')),
      check('scope labels not an object', { scope_labels: '"x"' }, rule('scope_labels_check')),
      dup('duplicate name', (f) => ({ name: f.ruleName }), rule('name_key')),
      fk('unknown scope server', { scope_server_id: MISSING_ID }, rule('scope_server_id_fkey')),
      fk('unknown creator', { created_by: MISSING_ID }, rule('created_by_fkey')),
    ],
  },
  {
    table: 'alerts_history',
    // On the other server: the fixture already holds the open episode of (rule, server).
    valid: (f) => ({
      rule_id: f.ruleId,
      server_id: f.otherServerId,
      state: 'firing',
      severity: 'warning',
      started_at: t0,
      fired_at: t0,
      peak_value: 97,
      state_changes: '[{"state":"firing"}]',
    }),
    refused: [
      check('state open', { state: 'open' }, episode('state_check')),
      check('resolved without resolved_at', { state: 'resolved' }, episode('check2')),
      check('firing with resolved_at', { resolved_at: t0 }, episode('check2')),
      check('firing without fired_at', { fired_at: null }, episode('check3')),
      check('fired before it started', { fired_at: before }, episode('check')),
      check('resolved before it started', { state: 'resolved', resolved_at: before }, episode('check1')),
      check(
        'acknowledged_by without acknowledged_at',
        (f) => ({ acknowledged_by: f.userId }),
        episode('check4'),
      ),
      check('state changes not an array', { state_changes: '{}' }, episode('state_changes_check')),
      check('severity fatal', { severity: 'fatal' }, episode('severity_check')),
      fk('unknown rule', { rule_id: MISSING_ID }, episode('rule_id_fkey')),
      fk('unknown server', { server_id: MISSING_ID }, episode('server_id_fkey')),
      fk('unknown incident', { incident_id: MISSING_ID }, episode('incident_id_fkey')),
      fk(
        'unknown acknowledging user',
        { acknowledged_by: MISSING_ID, acknowledged_at: t0 },
        episode('acknowledged_by_fkey'),
      ),
      dup(
        'a second open episode of the same rule and server',
        (f) => ({ server_id: f.serverId }),
        episode('open_idx'),
      ),
    ],
  },
]);

test('resolved episodes do not count as open: a rule can fire again on the same server', async () => {
  const { rowCount } = await pool.query(
    `INSERT INTO vigil.alerts_history (rule_id, server_id, state, severity, started_at, resolved_at)
     SELECT $1, $2, 'resolved', 'warning', now() - interval '1 hour' * g, now() - interval '1 hour' * g
       FROM generate_series(1, 3) g`,
    [fixtures.ruleId, fixtures.serverId],
  );
  assert.equal(rowCount, 3);
});
