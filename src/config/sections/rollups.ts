import { type SectionDef, bool, duration, int } from '../define.ts';

// Settings of the rollups module (rollups, dashboard views, query API, reports).
export const rollups = {
  enabled: {
    env: 'VIGIL_ROLLUPS_ENABLED',
    default: true,
    doc: 'Run the rollup and view-refresh jobs in this process (turn off on API-only replicas).',
    ...bool,
  },
  hourly_interval: {
    env: 'VIGIL_ROLLUPS_HOURLY_INTERVAL',
    default: 60_000,
    doc: 'How often dirty hours are re-aggregated into metrics_hourly.',
    ...duration(1000, 3_600_000),
  },
  daily_interval: {
    env: 'VIGIL_ROLLUPS_DAILY_INTERVAL',
    default: 600_000,
    doc: 'How often dirty days are re-aggregated into metrics_daily (daily p95 is recomputed from raw).',
    ...duration(1000, 86_400_000),
  },
  views_interval: {
    env: 'VIGIL_ROLLUPS_VIEWS_INTERVAL',
    default: 60_000,
    doc: 'How often the dashboard materialized views are refreshed (CONCURRENTLY).',
    ...duration(1000, 3_600_000),
  },
  batch_hours: {
    env: 'VIGIL_ROLLUPS_BATCH_HOURS',
    default: 24,
    doc: 'Distinct dirty hours re-aggregated per transaction (bounds one transaction on backfills).',
    ...int(1, 24 * 31),
  },
  max_points: {
    env: 'VIGIL_QUERY_MAX_POINTS',
    default: 10_000,
    doc: 'Most points one series request may return ((to - from) / step); more is refused with 400.',
    ...int(100, 1_000_000),
  },
  max_page_size: {
    env: 'VIGIL_QUERY_MAX_PAGE_SIZE',
    default: 1000,
    doc: 'Largest `limit` a list endpoint (servers, logs, top) accepts.',
    ...int(10, 100_000),
  },
} satisfies SectionDef;
