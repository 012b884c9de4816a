-- Incident response, part 2: escalation policies, escalation state kept on the incident (so a
-- restart of Vigil resumes an escalation where it stopped), who acknowledged/resolved, and
-- structured postmortems. Builds on 0009_incidents.sql.

-- A policy is an ordered list of steps. Each step notifies one user (by e-mail) and/or channels
-- of the alerts module, then waits; an unacknowledged incident then moves to the next step.
-- After the last step the policy starts over, repeat_count more times.
CREATE TABLE vigil.escalation_policies (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name         text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,99}$'),
  description  text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  repeat_count integer NOT NULL DEFAULT 0 CHECK (repeat_count BETWEEN 0 AND 20),
  -- false keeps escalating an acknowledged incident until it is resolved ("ack is not a fix").
  stop_on_ack  boolean NOT NULL DEFAULT true,
  -- The policy incidents get when nobody names one (incidents opened from alerts).
  is_default   boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX escalation_policies_one_default ON vigil.escalation_policies (is_default) WHERE is_default;

CREATE TABLE vigil.escalation_policy_steps (
  policy_id      bigint NOT NULL REFERENCES vigil.escalation_policies (id) ON DELETE CASCADE,
  position       integer NOT NULL CHECK (position BETWEEN 0 AND 19),
  -- A user referenced by a policy cannot be deleted (disable or anonymize them instead), so a
  -- step never silently loses its target.
  notify_user_id bigint REFERENCES vigil.users (id),
  channels       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(channels) <= 10),
  wait_minutes   integer NOT NULL CHECK (wait_minutes BETWEEN 1 AND 10080),
  PRIMARY KEY (policy_id, position),
  CHECK (notify_user_id IS NOT NULL OR cardinality(channels) > 0)
);

-- Escalation state lives here, not in process memory: escalation_step is the step last notified
-- (NULL: not started), next_escalation_at when the escalation job acts next (NULL: nothing to do).
ALTER TABLE vigil.incidents
  ADD COLUMN source                  text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'alert')),
  ADD COLUMN acknowledged_by         bigint REFERENCES vigil.users (id) ON DELETE SET NULL,
  ADD COLUMN resolved_by             bigint REFERENCES vigil.users (id) ON DELETE SET NULL,
  ADD COLUMN escalation_policy_id    bigint REFERENCES vigil.escalation_policies (id) ON DELETE SET NULL,
  ADD COLUMN escalation_step         integer CHECK (escalation_step >= 0),
  ADD COLUMN escalation_repeats_done integer NOT NULL DEFAULT 0 CHECK (escalation_repeats_done >= 0),
  ADD COLUMN next_escalation_at      timestamptz,
  ADD CONSTRAINT incidents_resolved_not_escalating CHECK (status <> 'resolved' OR next_escalation_at IS NULL);
-- The escalation job's scan: only incidents with something due are in this index.
CREATE INDEX incidents_escalation_due_idx ON vigil.incidents (next_escalation_at)
  WHERE next_escalation_at IS NOT NULL;
-- Grouping a firing alert into an open incident of the same region and severity.
CREATE INDEX incidents_open_group_idx ON vigil.incidents (region, severity, created_at DESC)
  WHERE status <> 'resolved';

-- 'updated' records edits of title, summary and escalation policy in the timeline too.
ALTER TABLE vigil.incident_response_logs
  DROP CONSTRAINT incident_response_logs_action_check,
  ADD CONSTRAINT incident_response_logs_action_check CHECK (action IN ('created', 'alert_linked',
    'notified', 'acknowledged', 'escalated', 'note_added', 'runbook_step_done', 'resolved', 'reopened',
    'assigned', 'severity_changed', 'postmortem_updated', 'updated'));

-- One postmortem per incident, written once it is resolved. The timeline is not copied here:
-- the export draws it from incident_response_logs, which cannot be rewritten.
CREATE TABLE vigil.incident_postmortems (
  incident_id  bigint PRIMARY KEY REFERENCES vigil.incidents (id) ON DELETE CASCADE,
  summary      text NOT NULL DEFAULT '' CHECK (length(summary) <= 20000),
  impact       text NOT NULL DEFAULT '' CHECK (length(impact) <= 20000),
  root_cause   text NOT NULL DEFAULT '' CHECK (length(root_cause) <= 20000),
  -- [{ "title": text, "owner": text|null, "due": date|null, "done": bool }]
  action_items jsonb NOT NULL DEFAULT '[]'
               CHECK (jsonb_typeof(action_items) = 'array' AND jsonb_array_length(action_items) <= 100),
  created_by   bigint REFERENCES vigil.users (id) ON DELETE SET NULL,
  updated_by   bigint REFERENCES vigil.users (id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Policies: admin writes them, devops reads them (to see who gets paged), readonly nothing.
GRANT SELECT ON vigil.escalation_policies, vigil.escalation_policy_steps TO vigil_devops;
GRANT INSERT, UPDATE, DELETE ON vigil.escalation_policies, vigil.escalation_policy_steps TO vigil_admin;
-- Postmortems carry the timeline, so they follow incident_response_logs: devops and up only.
GRANT SELECT, INSERT, UPDATE ON vigil.incident_postmortems TO vigil_devops;
