// CHECKs, foreign keys, keys and partition bounds of the time-series side of the schema:
// servers, server_metrics, metric_series, metric_samples, error_logs.
import {
  MISSING_ID,
  bigJson,
  check,
  describeConstraints,
  dup,
  fk,
  long,
  notNull,
  seedFixtures,
} from '../helpers/constraints.ts';
import { testDatabase } from '../helpers/database.ts';

const { pool } = await testDatabase();
const fixtures = await seedFixtures(pool);

// A day no partition will ever cover: the row must be refused, not silently parked somewhere.
const noPartition = (name: string, ts: string | null) => ({
  name,
  change: { ts: ts === null ? null : new Date(ts) },
  sqlstate: '23514',
  message: /no partition of relation "[a-z_]+" found for row/,
});
const unique = () => `h-${Math.random().toString(36).slice(2, 10)}`;
const host = 'servers_hostname_check';
const cpu = 'server_metrics_cpu_usage_check';
const name = 'metric_series_name_check';
const value = 'metric_samples_value_check';

describeConstraints(pool, fixtures, [
  {
    table: 'servers',
    valid: () => ({ hostname: unique(), region: 'eu-west', environment: 'staging', labels: '{"team":"db"}' }),
    refused: [
      check('empty hostname', { hostname: '' }, host),
      check('hostname with a space', { hostname: 'web 1' }, host),
      check('hostname starting with -', { hostname: '-web' }, host),
      check('hostname of 254 characters', { hostname: long(254) }, host),
      notNull('NULL hostname', { hostname: null }),
      dup('duplicate hostname', (f) => ({ hostname: f.hostname }), 'servers_hostname_key'),
      check('upper-case region', { region: 'EU-West' }, 'servers_region_check'),
      check('empty environment', { environment: '' }, 'servers_environment_check'),
      check('labels not an object', { labels: '["a"]' }, 'servers_labels_check'),
      check('labels over 4 kB', { labels: bigJson(5000) }, 'servers_labels_check'),
      check('metadata not an object', { metadata: '"x"' }, 'servers_metadata_check'),
      check(
        'last seen long before first seen',
        { first_seen_at: new Date('2026-01-10Z'), last_seen_at: new Date('2026-01-01Z') },
        'servers_check',
      ),
    ],
  },
  {
    table: 'server_metrics',
    valid: (f) => ({
      server_id: f.serverId,
      ts: new Date(),
      cpu_usage: 42.5,
      memory_usage: 60,
      disk_usage: 70,
      network_in_bytes: 1024,
      network_out_bytes: 2048,
      load_1: 0.5,
      load_5: 0.4,
      load_15: 0.3,
    }),
    refused: [
      check('cpu 101', { cpu_usage: 101 }, cpu),
      check('cpu -1', { cpu_usage: -1 }, cpu),
      check('cpu NaN', { cpu_usage: NaN }, cpu),
      check('cpu Infinity', { cpu_usage: Infinity }, cpu),
      check('memory 100.5', { memory_usage: 100.5 }, 'server_metrics_memory_usage_check'),
      check('disk -0.1', { disk_usage: -0.1 }, 'server_metrics_disk_usage_check'),
      check('negative network in', { network_in_bytes: -1 }, 'server_metrics_network_in_bytes_check'),
      check('negative network out', { network_out_bytes: -5 }, 'server_metrics_network_out_bytes_check'),
      check('negative load_1', { load_1: -1 }, 'server_metrics_load_1_check'),
      check('load_5 NaN', { load_5: NaN }, 'server_metrics_load_5_check'),
      check('load_15 Infinity', { load_15: Infinity }, 'server_metrics_load_15_check'),
      fk('unknown server_id', { server_id: MISSING_ID }, 'server_metrics_server_id_fkey'),
      // The key is what makes a retried batch unable to duplicate samples.
      dup('duplicate (server_id, ts)', (f) => ({ ts: f.takenTs }), /^server_metrics_p\d{8}_pkey$/),
      noPartition('a day with no partition', '2001-01-01T12:00:00Z'),
      noPartition('a day far in the future', '2999-06-01T00:00:00Z'),
      // Routing happens before NOT NULL is checked: no partition takes a NULL key.
      noPartition('NULL ts', null),
    ],
  },
  {
    table: 'metric_series',
    valid: (f) => ({ server_id: f.serverId, name: 'node_filesystem_avail_bytes', labels: '{"mount":"/"}' }),
    refused: [
      check('name starting with a digit', { name: '1xx' }, name),
      check('name with a dash', { name: 'http-requests' }, name),
      check('empty name', { name: '' }, name),
      check('name of 201 characters', { name: long(201, 'a') }, name),
      check('labels not an object', { labels: '[1]' }, 'metric_series_labels_check'),
      check('labels over 4 kB', { labels: bigJson(5000) }, 'metric_series_labels_check'),
      fk('unknown server_id', { server_id: MISSING_ID }, 'metric_series_server_id_fkey'),
      dup(
        'duplicate (server, name, labels)',
        { name: 'fixture_metric', labels: '{}' },
        'metric_series_server_id_name_labels_key',
      ),
      // NULLS NOT DISTINCT: two fleet-wide series with one name and label set are one series.
      dup(
        'duplicate fleet-wide series (server_id NULL)',
        { server_id: null, name: 'fleet_metric', labels: '{}' },
        'metric_series_server_id_name_labels_key',
      ),
    ],
  },
  {
    table: 'metric_samples',
    valid: (f) => ({ series_id: f.seriesId, ts: new Date(), value: 1.5 }),
    refused: [
      check('value NaN', { value: NaN }, value),
      check('value Infinity', { value: Infinity }, value),
      check('value -Infinity', { value: -Infinity }, value),
      notNull('NULL value', { value: null }),
      fk('unknown series_id', { series_id: MISSING_ID }, 'metric_samples_series_id_fkey'),
      dup('duplicate (series_id, ts)', (f) => ({ ts: f.takenTs }), /^metric_samples_p\d{8}_pkey$/),
      noPartition('a day with no partition', '2001-01-01T00:00:00Z'),
    ],
  },
  {
    table: 'error_logs',
    valid: (f) => ({
      server_id: f.serverId,
      ts: new Date(),
      severity: 3,
      source: 'kernel',
      message: 'disk I/O error',
      context: '{"dev":"sda"}',
    }),
    refused: [
      check('severity 8', { severity: 8 }, 'error_logs_severity_check'),
      check('severity -1', { severity: -1 }, 'error_logs_severity_check'),
      check('empty message', { message: '' }, 'error_logs_message_check'),
      check('message over 16384 characters', { message: long(16385) }, 'error_logs_message_check'),
      check('source over 255 characters', { source: long(256) }, 'error_logs_source_check'),
      check('context not an object', { context: '[]' }, 'error_logs_context_check'),
      check('context over 16 kB', { context: bigJson(17000) }, 'error_logs_context_check'),
      fk('unknown server_id', { server_id: MISSING_ID }, 'error_logs_server_id_fkey'),
      noPartition('a day with no partition', '2001-01-01T00:00:00Z'),
    ],
  },
]);
