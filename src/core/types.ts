// Glossary
// - server:  a monitored host (vigil.servers), known by hostname, placed in a region.
// - sample:  one row of server_metrics: a server's cpu/memory/disk %, network bytes and load at ts.
// - series:  any other metric, a name plus labels (vigil.metric_series), with narrow samples.
// - rollup:  a pre-aggregated bucket (hour, day) of samples per server, kept current by a job.
// - rule:    an alert definition (vigil.alerts_configuration): metric, window, threshold, for.
// - alert:   one episode of a rule on a server (vigil.alerts_history): pending, firing, resolved.
// - incident: a group of alerts a person responds to, with an append-only timeline.
// - anomaly: a point a detector scored as unusual for that server (vigil.anomalies).

/** Application roles; each maps to a PostgreSQL role of the same name with a vigil_ prefix. */
export const ROLES = ['admin', 'devops', 'readonly', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (v: unknown): v is Role =>
  typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/** The PostgreSQL role name for an application role. Only ever built from the constant list. */
export const dbRole = (role: Role): string => `vigil_${role}`;

/** What an authenticated API caller is. */
export interface Principal {
  userId: number;
  username: string;
  role: Role;
  tokenId: number;
}

export const METRIC_COLUMNS = [
  'cpu_usage',
  'memory_usage',
  'disk_usage',
  'network_in_bytes',
  'network_out_bytes',
  'load_1',
  'load_5',
  'load_15',
] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];
export const isMetricColumn = (v: unknown): v is MetricColumn =>
  typeof v === 'string' && (METRIC_COLUMNS as readonly string[]).includes(v);

/** A JSON object as parsers see one: not null, not an array. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
