-- Alert rules. Writable by admin only; the alert engine evaluates them as the owner.
CREATE TABLE vigil.alerts_configuration (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                    text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
  description             text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  enabled                 boolean NOT NULL DEFAULT true,
  -- 'server_metrics': metric is a column of server_metrics; 'series': a metric_series name
  -- (with series_labels as matchers); 'anomaly': the anomaly score of a server.
  metric_source           text NOT NULL DEFAULT 'server_metrics'
                          CHECK (metric_source IN ('server_metrics', 'series', 'anomaly')),
  metric                  text NOT NULL CHECK (metric ~ '^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$'),
  series_labels           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(series_labels) = 'object'),
  aggregation             text NOT NULL DEFAULT 'avg'
                          CHECK (aggregation IN ('avg', 'max', 'min', 'last', 'p95')),
  window_seconds          integer NOT NULL DEFAULT 300 CHECK (window_seconds BETWEEN 10 AND 86400),
  operator                text NOT NULL CHECK (operator IN ('>', '>=', '<', '<=', '==', '!=')),
  threshold               double precision NOT NULL,
  clear_threshold         double precision,
  for_seconds             integer NOT NULL DEFAULT 0 CHECK (for_seconds BETWEEN 0 AND 604800),
  keep_firing_for_seconds integer NOT NULL DEFAULT 0 CHECK (keep_firing_for_seconds BETWEEN 0 AND 604800),
  no_data_seconds         integer CHECK (no_data_seconds IS NULL OR no_data_seconds BETWEEN 10 AND 604800),
  severity                text NOT NULL DEFAULT 'warning' CHECK (severity IN ('critical', 'warning', 'info')),
  -- Scope: every server, or narrowed by region, one server, and/or a label selector.
  scope_region            text,
  scope_server_id         bigint REFERENCES vigil.servers (id) ON DELETE CASCADE,
  scope_labels            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(scope_labels) = 'object'),
  channels                text[] NOT NULL DEFAULT '{}',
  runbook_url             text CHECK (runbook_url IS NULL OR runbook_url ~ '^https?://'),
  created_by              bigint REFERENCES vigil.users (id) ON DELETE SET NULL,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  -- Hysteresis: the clear threshold must lie on the "healthy" side of the threshold.
  CHECK (clear_threshold IS NULL
         OR (operator IN ('>', '>=') AND clear_threshold <= threshold)
         OR (operator IN ('<', '<=') AND clear_threshold >= threshold)
         OR operator IN ('==', '!=')),
  CHECK (threshold = threshold AND threshold > '-Infinity' AND threshold < 'Infinity')
);

-- One row per alert episode (pending -> firing -> resolved) of one rule on one server.
CREATE TABLE vigil.alerts_history (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule_id         bigint NOT NULL REFERENCES vigil.alerts_configuration (id) ON DELETE CASCADE,
  server_id       bigint NOT NULL REFERENCES vigil.servers (id) ON DELETE CASCADE,
  state           text NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
  severity        text NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
  started_at      timestamptz NOT NULL,
  fired_at        timestamptz,
  resolved_at     timestamptz,
  peak_value      double precision,
  last_value      double precision,
  state_changes   jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(state_changes) = 'array'),
  acknowledged_by bigint REFERENCES vigil.users (id) ON DELETE SET NULL,
  acknowledged_at timestamptz,
  CHECK (fired_at IS NULL OR fired_at >= started_at),
  CHECK (resolved_at IS NULL OR resolved_at >= started_at),
  CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)),
  CHECK (state <> 'firing' OR fired_at IS NOT NULL),
  CHECK ((acknowledged_by IS NULL) OR (acknowledged_at IS NOT NULL))
);
-- At most one open episode per rule and server: the evaluator's upsert target.
CREATE UNIQUE INDEX alerts_history_open_idx ON vigil.alerts_history (rule_id, server_id)
  WHERE resolved_at IS NULL;
CREATE INDEX alerts_history_started_idx ON vigil.alerts_history (started_at DESC);
CREATE INDEX alerts_history_server_idx ON vigil.alerts_history (server_id, started_at DESC);

GRANT SELECT ON vigil.alerts_configuration, vigil.alerts_history TO vigil_readonly;
GRANT INSERT, UPDATE, DELETE ON vigil.alerts_configuration TO vigil_admin;
-- devops acknowledges alerts, and nothing else about them.
GRANT UPDATE (acknowledged_by, acknowledged_at) ON vigil.alerts_history TO vigil_devops;
GRANT INSERT, UPDATE, DELETE ON vigil.alerts_history TO vigil_admin;
