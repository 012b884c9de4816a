-- Incidents group alerts and carry the response. triggered -> acknowledged -> resolved
-- (and reopen back to triggered).
CREATE TABLE vigil.incidents (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  summary         text NOT NULL DEFAULT '' CHECK (length(summary) <= 20000),
  status          text NOT NULL DEFAULT 'triggered'
                  CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
  severity        text NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
  region          text,
  assignee_id     bigint REFERENCES vigil.users (id) ON DELETE SET NULL,
  created_by      bigint REFERENCES vigil.users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz CHECK (acknowledged_at IS NULL OR acknowledged_at >= created_at),
  resolved_at     timestamptz CHECK (resolved_at IS NULL OR resolved_at >= created_at),
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL)),
  CHECK (status <> 'acknowledged' OR acknowledged_at IS NOT NULL)
);
CREATE INDEX incidents_open_idx ON vigil.incidents (status, created_at DESC) WHERE status <> 'resolved';
CREATE INDEX incidents_created_idx ON vigil.incidents (created_at DESC);

ALTER TABLE vigil.alerts_history
  ADD COLUMN incident_id bigint REFERENCES vigil.incidents (id) ON DELETE SET NULL;
CREATE INDEX alerts_history_incident_idx ON vigil.alerts_history (incident_id) WHERE incident_id IS NOT NULL;

-- The response timeline. Append-only: no role may UPDATE or DELETE, and a trigger refuses it
-- even for the owner, so the history of an incident cannot be rewritten.
CREATE TABLE vigil.incident_response_logs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id   bigint NOT NULL REFERENCES vigil.incidents (id) ON DELETE RESTRICT,
  ts            timestamptz NOT NULL DEFAULT now(),
  actor_user_id bigint REFERENCES vigil.users (id),
  action        text NOT NULL CHECK (action IN ('created', 'alert_linked', 'notified', 'acknowledged',
                  'escalated', 'note_added', 'runbook_step_done', 'resolved', 'reopened',
                  'assigned', 'severity_changed', 'postmortem_updated')),
  details       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX incident_response_logs_incident_idx ON vigil.incident_response_logs (incident_id, ts, id);

CREATE FUNCTION vigil.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
END $$;
CREATE TRIGGER incident_response_logs_append_only
  BEFORE UPDATE OR DELETE ON vigil.incident_response_logs
  FOR EACH ROW EXECUTE FUNCTION vigil.refuse_change();
CREATE TRIGGER incident_response_logs_no_truncate
  BEFORE TRUNCATE ON vigil.incident_response_logs
  FOR EACH STATEMENT EXECUTE FUNCTION vigil.refuse_change();

GRANT SELECT ON vigil.incidents TO vigil_readonly;
GRANT INSERT, UPDATE ON vigil.incidents TO vigil_devops;
GRANT UPDATE (incident_id) ON vigil.alerts_history TO vigil_devops;
GRANT SELECT, INSERT ON vigil.incident_response_logs TO vigil_devops;
GRANT DELETE ON vigil.incidents TO vigil_admin;
