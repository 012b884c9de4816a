// The alerts module's vocabulary. A rule (alerts_configuration) fans out to one alert episode
// (alerts_history) per matching server; notifications leave through channels via the outbox.

export const OPERATORS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Operator = (typeof OPERATORS)[number];
export const AGGREGATIONS = ['avg', 'max', 'min', 'last', 'p95'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
export const SOURCES = ['server_metrics', 'series', 'anomaly'] as const;
export type MetricSource = (typeof SOURCES)[number];
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type AlertState = 'pending' | 'firing' | 'resolved';

/** A rule as stored (alerts_configuration row, durations in seconds). */
export interface Rule {
  id: number;
  name: string;
  description: string;
  enabled: boolean;
  metric_source: MetricSource;
  metric: string;
  series_labels: Record<string, string>;
  aggregation: Aggregation;
  window_seconds: number;
  operator: Operator;
  threshold: number;
  clear_threshold: number | null;
  for_seconds: number;
  for_points: number | null;
  keep_firing_for_seconds: number;
  no_data_seconds: number | null;
  severity: Severity;
  scope_region: string | null;
  scope_server_id: number | null;
  scope_labels: Record<string, string>;
  channels: string[];
  runbook_url: string | null;
  updated_at: Date;
}

/** What a caller writes (API body, YAML entry) once validated; durations in seconds. */
export type RuleSpec = Omit<Rule, 'id' | 'updated_at' | 'scope_server_id'> & {
  /** Hostname of the one server in scope, resolved to scope_server_id when stored. */
  scope_server: string | null;
};

export interface StateChange {
  at: string;
  from: AlertState | null;
  to: AlertState | 'muted';
  value: number | null;
  note?: string;
}

export const CHANNEL_KINDS = ['webhook', 'slack', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** One alert inside a notification (the same shape goes out in webhook JSON). */
export interface NotifiedAlert {
  alert_id: number;
  status: 'firing' | 'resolved';
  rule: string;
  severity: Severity;
  server_id: number;
  hostname: string;
  region: string;
  reason: 'threshold' | 'no_data';
  value: number | null;
  peak: number | null;
  started_at: string;
  fired_at: string | null;
  resolved_at: string | null;
  summary: string;
  runbook_url: string | null;
  labels: Record<string, string>;
}

/** The payload stored in the outbox and rendered per channel kind. */
export interface NotificationPayload {
  title: string;
  text: string;
  severity: Severity;
  source: 'alert' | 'incident' | 'test';
  group?: { rule_id: number; rule: string; region: string };
  alerts?: NotifiedAlert[];
  incident_id?: number;
}
