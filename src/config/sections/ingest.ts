import { type SectionDef, duration, int, list, text } from '../define.ts';

// Settings of the ingest module (docs/ingest.md explains each with examples).
export const ingest = {
  max_body_bytes: {
    env: 'VIGIL_INGEST_MAX_BODY_BYTES',
    default: 16 * 1024 * 1024,
    doc: 'Largest ingest request body after decompression (gzip, snappy); larger ones get 413.',
    ...int(1024, 1024 * 1024 * 1024),
  },
  max_rows_per_request: {
    env: 'VIGIL_INGEST_MAX_ROWS',
    default: 100_000,
    doc: 'Most rows (points, samples, entries) one request may carry; more is refused whole.',
    ...int(1, 10_000_000),
  },
  max_past: {
    env: 'VIGIL_INGEST_MAX_PAST',
    default: 7 * 86_400_000,
    doc: 'Oldest timestamp accepted, relative to now; older rows are refused with a reason.',
    ...duration(60_000, 366 * 86_400_000),
  },
  max_future: {
    env: 'VIGIL_INGEST_MAX_FUTURE',
    default: 10 * 60_000,
    doc: 'How far ahead of the server clock a timestamp may be (clock skew allowance).',
    ...duration(0, 86_400_000),
  },
  batch_rows: {
    env: 'VIGIL_INGEST_BATCH_ROWS',
    default: 50_000,
    doc: 'Most rows the batch writer puts in one transaction (one COPY per table).',
    ...int(100, 1_000_000),
  },
  linger: {
    env: 'VIGIL_INGEST_LINGER',
    default: 2,
    doc: 'How long the batch writer waits for more rows before writing a partial batch.',
    ...duration(0, 1000),
  },
  writers: {
    env: 'VIGIL_INGEST_WRITERS',
    default: 2,
    doc: 'Concurrent write transactions (database connections used by the batch writer).',
    ...int(1, 64),
  },
  queue_rows: {
    env: 'VIGIL_INGEST_QUEUE_ROWS',
    default: 1_000_000,
    doc: 'Rows waiting to be written before new requests get 503 with Retry-After.',
    ...int(1000, 100_000_000),
  },
  queue_bytes: {
    env: 'VIGIL_INGEST_QUEUE_BYTES',
    default: 256 * 1024 * 1024,
    doc: 'Estimated memory of rows waiting to be written before new requests get 503.',
    ...int(1024 * 1024, 64 * 1024 * 1024 * 1024),
  },
  idempotency_retention: {
    env: 'VIGIL_INGEST_IDEMPOTENCY_RETENTION',
    default: 24 * 3_600_000,
    doc: 'How long an Idempotency-Key is remembered: a retry later than this is written again.',
    ...duration(60_000, 30 * 86_400_000),
  },
  syslog_host: {
    env: 'VIGIL_SYSLOG_HOST',
    default: '127.0.0.1',
    doc: 'Address the syslog listeners bind to.',
    ...text(/^[0-9A-Za-z.:-]{1,255}$/, 'an IP address or hostname'),
  },
  syslog_udp_port: {
    env: 'VIGIL_SYSLOG_UDP_PORT',
    default: 0,
    doc: 'UDP port for syslog (RFC 5424 / 3164) into error_logs; 0 turns it off.',
    ...int(0, 65535),
  },
  syslog_tcp_port: {
    env: 'VIGIL_SYSLOG_TCP_PORT',
    default: 0,
    doc: 'TCP port for syslog (octet-counted or newline-framed); 0 turns it off.',
    ...int(0, 65535),
  },
  scrape_targets: {
    env: 'VIGIL_SCRAPE_TARGETS',
    default: [] as readonly string[],
    doc: 'Prometheus /metrics URLs to scrape (node_exporter), comma-separated or a TOML array.',
    ...list(/^https?:\/\/[^\s,]+$/, 'http(s) URLs'),
  },
  scrape_interval: {
    env: 'VIGIL_SCRAPE_INTERVAL',
    default: 15_000,
    doc: 'How often the scrape targets are read.',
    ...duration(1000, 3_600_000),
  },
} satisfies SectionDef;
