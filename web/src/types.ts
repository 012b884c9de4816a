// Shapes of the API's answers as the dashboard uses them. Optional fields are ones a page can
// do without; docs/dashboard.md maps each to its endpoint.
export type Role = 'admin' | 'devops' | 'readonly' | 'ingest';
export interface Me {
  user_id: number;
  username: string;
  role: Role;
}
export interface Page<R> {
  items: R[];
  total: number;
}

export type Health = 'up' | 'stale' | 'down';
export interface Server {
  id: number;
  hostname: string;
  region: string;
  environment?: string;
  labels?: Record<string, string>;
  last_seen_at?: string | null;
  status?: Health;
  cpu_usage?: number | null;
  memory_usage?: number | null;
  disk_usage?: number | null;
}
export interface ServerQuery {
  q?: string;
  region?: string;
  label?: string;
  status?: string;
  sort?: string;
  order?: 'asc' | 'desc';
  limit?: number;
  offset?: number;
}

export interface FleetOverview {
  servers?: { total?: number; up?: number; stale?: number; down?: number };
  alerts_firing?: number;
  incidents_open?: number;
  network_in_bytes?: number;
  network_out_bytes?: number;
  regions?: RegionHealth[];
  top_cpu?: TopServer[];
  top_memory?: TopServer[];
  refreshed_at?: string;
}
export interface RegionHealth {
  region: string;
  servers?: number;
  up?: number;
  stale?: number;
  down?: number;
  cpu_avg?: number | null;
  memory_avg?: number | null;
  alerts_firing?: number;
}
export interface TopServer {
  server_id: number;
  hostname: string;
  region?: string;
  value: number;
}

/** Columnar series: ts in epoch seconds or ISO strings, one array per metric. */
export interface SeriesResponse {
  ts?: (number | string)[];
  points?: Record<string, number | string | null>[];
  step_seconds?: number;
  source?: string;
  [metric: string]: unknown;
}

export interface ErrorLog {
  id: number;
  server_id: number;
  hostname?: string;
  ts: string;
  severity: number;
  source?: string;
  message: string;
}

export interface Alert {
  id: number;
  rule_id: number;
  rule_name?: string;
  server_id: number;
  hostname?: string;
  state: 'pending' | 'firing' | 'resolved';
  severity: string;
  started_at: string;
  fired_at?: string | null;
  resolved_at?: string | null;
  last_value?: number | null;
  peak_value?: number | null;
  metric?: string;
  acknowledged_at?: string | null;
  acknowledged_by?: number | string | null;
  incident_id?: number | null;
}
export interface Rule {
  id: number;
  name: string;
  enabled: boolean;
  metric: string;
  operator: string;
  threshold: number;
  for_seconds?: number;
  severity: string;
  scope_region?: string | null;
}
export type RuleInput = Omit<Rule, 'id'>;
export interface Silence {
  id: number;
  reason?: string;
  comment?: string;
  starts_at: string;
  ends_at: string;
  matchers?: unknown;
  rule_id?: number | null;
  server_id?: number | null;
}
export interface SilenceInput {
  rule_id?: number;
  server_id?: number;
  ends_at: string;
  starts_at?: string;
  comment: string;
}
export interface Maintenance {
  id: number;
  name?: string;
  reason?: string;
  starts_at: string;
  ends_at: string;
  region?: string | null;
  server_id?: number | null;
}
export interface MaintenanceInput {
  name: string;
  starts_at: string;
  ends_at: string;
  region?: string;
  server_id?: number;
}

export interface Incident {
  id: number;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  severity: string;
  region?: string | null;
  created_at: string;
  acknowledged_at?: string | null;
  resolved_at?: string | null;
  summary?: string;
}
export interface TimelineEntry {
  id: number;
  ts: string;
  action: string;
  actor?: string | null;
  actor_user_id?: number | null;
  details?: Record<string, unknown>;
}
export interface IncidentDetail extends Incident {
  timeline?: TimelineEntry[];
  alerts?: Alert[];
}

export interface Anomaly {
  id: number;
  server_id: number;
  hostname?: string;
  ts: string;
  metrics: string[];
  score: number;
  method: string;
  explanation?: string;
}
