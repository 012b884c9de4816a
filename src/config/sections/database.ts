import { type SectionDef, bool, duration, int, optionalUrl } from '../define.ts';

export const database = {
  url: {
    env: 'DATABASE_URL',
    default: '',
    doc: 'PostgreSQL to use. When empty, Vigil starts an embedded PostgreSQL under data_dir.',
    secret: true,
    ...optionalUrl(['postgres:', 'postgresql:']),
  },
  embedded_port: {
    env: 'VIGIL_EMBEDDED_PG_PORT',
    default: 54329,
    doc: 'Port of the embedded PostgreSQL (loopback only).',
    ...int(1024, 65535),
  },
  pool_size: {
    env: 'VIGIL_DB_POOL_SIZE',
    default: 10,
    doc: 'Connections in the application pool.',
    ...int(2, 200),
  },
  statement_timeout: {
    env: 'VIGIL_DB_STATEMENT_TIMEOUT',
    default: 30_000,
    doc: 'Longest a single API statement may run before PostgreSQL cancels it.',
    ...duration(100, 3_600_000),
  },
  partitions_ahead_days: {
    env: 'VIGIL_PARTITIONS_AHEAD_DAYS',
    default: 7,
    doc: 'Day partitions kept ready ahead of today for server_metrics, metric_samples and error_logs.',
    ...int(1, 90),
  },
  partitions_behind_days: {
    env: 'VIGIL_PARTITIONS_BEHIND_DAYS',
    default: 2,
    doc: 'Day partitions made behind today at start, so slightly late data has a home.',
    ...int(0, 366),
  },
  require_tls: {
    env: 'VIGIL_DB_REQUIRE_TLS',
    default: false,
    doc: 'Refuse to talk to an external DATABASE_URL without verified TLS.',
    ...bool,
  },
} satisfies SectionDef;
