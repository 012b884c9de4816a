// Shapes of Vigil's /api/v1 answers as the dashboard uses them (see /openapi.json for the full
// schemas; docs/dashboard.md maps each page to its endpoints). Times are ISO 8601 strings.
export type Role = 'admin' | 'devops' | 'readonly' | 'ingest';
export interface Me {
  user_id: number;
  username: string;
  role: Role;
}

export type Health = 'up' | 'stale' | 'down';
/** GET /servers: keyset pages. */
export interface Server {
  id: number;
  hostname: string;
  region: string;
  environment: string;
  labels: Record<string, unknown>;
  first_seen_at: string;
  last_seen_at: string | null;
}
export interface ServerPage {
  items: Server[];
  next_cursor: string | null;
}
export interface ServerQuery {
  q?: string;
  region?: string;
  label?: string;
  sort?: string;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
}

interface Freshness {
  as_of: string | null;
  age_seconds: number | null;
}
export interface RegionHealth {
  region: string;
  servers: number;
  up: number;
  stale: number;
  down: number;
  cpu_usage_avg: number | null;
  memory_usage_avg: number | null;
  firing_alerts: number;
  firing_critical: number;
}
export interface FleetOverview extends Freshness {
  totals: { servers: number; up: number; stale: number; down: number; firing_alerts: number };
  regions: RegionHealth[];
}
export interface RegionPoint {
  region: string;
  ts: string;
  servers_reporting: number;
  network_in_bytes: number | null;
  network_out_bytes: number | null;
}
export interface RegionSeries extends Freshness {
  step_seconds: number;
  points: RegionPoint[];
}
export interface TopServer {
  server_id: number;
  hostname: string;
  region: string;
  value: number | null;
}
export interface TopTalker {
  server_id: number;
  hostname: string;
  region: string;
  network_in_bytes: number | null;
  network_out_bytes: number | null;
  network_bytes: number | null;
}

export interface Stat {
  avg: number | null;
  min: number | null;
  max: number | null;
  p95?: number | null;
}
/** GET /servers/:id/series: one point per bucket, a {avg,min,max,p95} per metric. */
export interface SeriesResponse extends Freshness {
  server_id: number;
  hostname: string;
  resolution: string;
  step_seconds: number;
  metrics: string[];
  points: ({ ts: string; samples: number } & Record<string, Stat | number | string>)[];
}

export interface ErrorLog {
  id: number;
  server_id: number;
  hostname: string;
  ts: string;
  severity: number;
  source: string;
  message: string;
}

export interface Alert {
  id: number;
  rule_id: number;
  rule: string;
  server_id: number;
  hostname: string;
  region: string;
  state: 'pending' | 'firing' | 'resolved';
  severity: string;
  started_at: string;
  fired_at: string | null;
  resolved_at: string | null;
  last_value: number | null;
  peak_value: number | null;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  incident_id: number | null;
}
/** A rule as people write it (durations like "5m"); PUT takes the same shape back. */
export interface Rule {
  id: number;
  name: string;
  description?: string;
  enabled: boolean;
  source?: string;
  metric?: string;
  aggregation?: string;
  window?: string | number;
  operator: string;
  threshold: number;
  for?: string | number;
  severity: string;
  scope?: { region?: string; server?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}
export type RuleInput = Omit<Rule, 'id'>;
export interface Matcher {
  name: string;
  op: string;
  value: string;
}
export interface Silence {
  id: number;
  matchers: Matcher[];
  starts_at: string;
  ends_at: string;
  comment: string;
}
export interface SilenceInput {
  matchers: string[];
  starts_at?: string;
  ends_at?: string;
  duration?: string;
  comment: string;
}
/** Recurring window: opens on `cron` for `duration_seconds`. */
export interface Maintenance {
  id: number;
  name: string;
  cron: string;
  duration_seconds: number;
  timezone: string;
  scope_region: string | null;
  scope_server_ids: number[];
  enabled: boolean;
  comment: string;
  open_now: boolean;
}
export interface MaintenanceInput {
  name: string;
  cron: string;
  duration: string;
  comment?: string;
  scope?: { region?: string; servers?: string[] };
}

export interface Incident {
  id: number;
  title: string;
  summary: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  severity: string;
  region: string | null;
  source: string;
  created_at: string;
  acknowledged_at: string | null;
  acknowledged_by_name: string | null;
  resolved_at: string | null;
  alert_count: number;
}
export interface LinkedAlert {
  id: number;
  rule_name: string;
  server_id: number;
  hostname: string;
  state: string;
  severity: string;
  started_at: string;
  fired_at: string | null;
}
export interface IncidentDetail extends Incident {
  alerts: LinkedAlert[];
}
export interface TimelineEntry {
  id: number;
  ts: string;
  action: string;
  actor: string | null;
  details: Record<string, unknown>;
  /** The entry in words, as in the postmortem. */
  text: string;
}

export interface Anomaly {
  id: number;
  server_id: number;
  hostname: string;
  ts: string;
  metrics: string[];
  score: number;
  method: string;
  explanation: string;
}

export interface ReportLine {
  server_id: number;
  hostname: string;
  region: string;
  availability: number;
  cpu_usage_avg: number | null;
  cpu_usage_p95: number | null;
  memory_usage_avg: number | null;
  memory_usage_p95: number | null;
  disk_usage_max: number | null;
  network_in_bytes: number;
  network_out_bytes: number;
  alerts: number;
  errors: number;
}
/** GET /reports/daily|weekly (JSON). */
export interface Report {
  kind: string;
  from: string;
  to: string;
  summary: {
    servers: number;
    availability_avg: number | null;
    servers_below_99: number;
    alerts: Record<string, number>;
    incidents: number;
    mtta_seconds: number | null;
    mttr_seconds: number | null;
    errors: number;
  };
  servers: ReportLine[];
  top: { cpu_p95: ReportLine[]; memory_p95: ReportLine[]; availability: ReportLine[] };
  alerts_by_rule: { rule: string; severity: string; count: number }[];
}
