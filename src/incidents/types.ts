// Incident shapes shared by the lifecycle, escalation, routes and the CLI report.

export const INCIDENT_STATUSES = ['triggered', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Timeline actions, as allowed by the CHECK on incident_response_logs.action. */
export type LogAction =
  | 'created'
  | 'alert_linked'
  | 'notified'
  | 'acknowledged'
  | 'escalated'
  | 'note_added'
  | 'runbook_step_done'
  | 'resolved'
  | 'reopened'
  | 'assigned'
  | 'severity_changed'
  | 'postmortem_updated'
  | 'updated';

export interface IncidentRow {
  id: number;
  title: string;
  summary: string;
  status: IncidentStatus;
  severity: Severity;
  region: string | null;
  source: 'manual' | 'alert';
  assignee_id: number | null;
  assignee: string | null;
  created_by: number | null;
  created_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: number | null;
  acknowledged_by_name: string | null;
  resolved_at: Date | null;
  resolved_by: number | null;
  escalation_policy_id: number | null;
  escalation_step: number | null;
  escalation_repeats_done: number;
  next_escalation_at: Date | null;
  alert_count: number;
}

export interface LinkedAlertRow {
  id: number;
  rule_id: number;
  rule_name: string;
  server_id: number;
  hostname: string;
  state: string;
  severity: string;
  started_at: Date;
  fired_at: Date | null;
  resolved_at: Date | null;
  runbook_url: string | null;
}

export interface LogRow {
  id: number;
  incident_id: number;
  ts: Date;
  actor_user_id: number | null;
  actor: string | null;
  action: LogAction;
  details: Record<string, unknown>;
}

export interface PolicyStep {
  notify_user_id: number | null;
  /** Username of notify_user_id (read back; ignored on write). */
  notify_user?: string | null;
  channels: string[];
  wait_minutes: number;
}

export interface PolicyRow {
  id: number;
  name: string;
  description: string;
  repeat_count: number;
  stop_on_ack: boolean;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
  steps: PolicyStep[];
}

export interface ActionItem {
  title: string;
  owner: string | null;
  due: string | null;
  done: boolean;
}

export interface PostmortemRow {
  incident_id: number;
  summary: string;
  impact: string;
  root_cause: string;
  action_items: ActionItem[];
  created_by: number | null;
  updated_by: number | null;
  created_at: Date;
  updated_at: Date;
}

/** Who did something: a person (API, CLI) or Vigil itself (null: alert grouping, escalation job). */
export type Actor = number | null;
