-- Alerting beyond the rule and episode tables of 0008: evaluation state on the episode, anomaly
-- rules counted in points, notification channels with encrypted secrets, a durable outbox with
-- retries and dead letters, silences and recurring maintenance windows.

-- "score >= x for N points" (metric_source 'anomaly'): the condition must hold on each of the
-- last N points. NULL means 1 point, and is meaningless for the other sources.
ALTER TABLE vigil.alerts_configuration
  ADD COLUMN for_points integer CHECK (for_points IS NULL OR for_points BETWEEN 1 AND 1000);

-- Evaluation and notification state lives on the open episode itself, so a restart resumes
-- exactly where it stopped: nothing is lost and nothing is notified twice.
ALTER TABLE vigil.alerts_history
  -- 'threshold': the aggregated value crossed the threshold; 'no_data': no sample for no_data_seconds.
  ADD COLUMN reason text NOT NULL DEFAULT 'threshold' CHECK (reason IN ('threshold', 'no_data')),
  ADD COLUMN last_evaluated_at timestamptz,
  -- Firing but back under the clear threshold since then (keep_firing_for counts from here).
  ADD COLUMN clearing_since timestamptz,
  -- When a firing notice for this episode was last queued (NULL: never): drives repeats.
  ADD COLUMN notified_at timestamptz,
  ADD COLUMN resolved_notified_at timestamptz,
  -- A notice was due while a silence or maintenance window covered the alert; once nothing
  -- covers it any more it is notified at once instead of waiting for the repeat interval.
  ADD COLUMN muted_since timestamptz;

-- The notifier's work list: firing episodes, and resolved ones whose resolved notice is owed.
CREATE INDEX alerts_history_notify_idx ON vigil.alerts_history (rule_id)
  WHERE state = 'firing' OR (state = 'resolved' AND notified_at IS NOT NULL AND resolved_notified_at IS NULL);
CREATE INDEX alerts_history_rule_idx ON vigil.alerts_history (rule_id, started_at DESC);

-- Where notifications go. Settings that are not secret are plain jsonb; secrets (webhook URLs of
-- Slack, HMAC keys, SMTP passwords, extra headers) are one AES-256-GCM blob sealed by the
-- application key, which no role but admin can even select and the API never returns.
CREATE TABLE vigil.notification_channels (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name                    text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
  kind                    text NOT NULL CHECK (kind IN ('webhook', 'slack', 'email')),
  settings                jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
  secret_encrypted        bytea,
  send_resolved           boolean NOT NULL DEFAULT true,
  enabled                 boolean NOT NULL DEFAULT true,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now()
);

-- The outbox: a notification is queued in the same transaction that marks its alerts notified,
-- then delivered by a worker with retries and exponential backoff. 'dead' rows are the dead
-- letters (attempts exhausted, or a channel that does not exist); an admin may requeue them.
CREATE TABLE vigil.notification_outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel_id      bigint REFERENCES vigil.notification_channels (id) ON DELETE SET NULL,
  channel_name    text NOT NULL,
  source          text NOT NULL CHECK (source IN ('alert', 'incident', 'test')),
  dedup_key       text NOT NULL CHECK (length(dedup_key) BETWEEN 1 AND 500),
  payload         jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL,
  -- A worker that claimed the row is sending until then; after it, another may retry (crash).
  locked_until    timestamptz,
  last_error      text CHECK (length(last_error) <= 2000),
  created_at      timestamptz NOT NULL,
  delivered_at    timestamptz,
  UNIQUE (channel_name, dedup_key),
  CHECK ((state = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE INDEX notification_outbox_due_idx ON vigil.notification_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_outbox_dead_idx ON vigil.notification_outbox (created_at DESC) WHERE state = 'dead';

-- Silences: label matchers ([{name, op, value}], op one of = != =~ !~) over the alert's labels
-- (alertname, severity, hostname, region, environment, server labels …) for a time range.
CREATE TABLE vigil.alert_silences (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  matchers   jsonb NOT NULL CHECK (jsonb_typeof(matchers) = 'array' AND jsonb_array_length(matchers) BETWEEN 1 AND 50),
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL,
  comment    text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
  created_by bigint REFERENCES vigil.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX alert_silences_ends_idx ON vigil.alert_silences (ends_at);

-- Recurring maintenance windows: a 5-field cron expression (weekly windows are stored as cron)
-- evaluated in a time zone, open for duration_seconds after each start, scoped like rules.
CREATE TABLE vigil.maintenance_windows (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name             text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
  cron             text NOT NULL CHECK (length(cron) <= 200),
  duration_seconds integer NOT NULL CHECK (duration_seconds BETWEEN 60 AND 604800),
  timezone         text NOT NULL DEFAULT 'UTC',
  scope_region     text,
  scope_server_ids bigint[] NOT NULL DEFAULT '{}',
  scope_labels     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(scope_labels) = 'object'),
  active_from      timestamptz,
  active_until     timestamptz,
  enabled          boolean NOT NULL DEFAULT true,
  comment          text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
  created_by       bigint REFERENCES vigil.users (id) ON DELETE SET NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (active_until IS NULL OR active_from IS NULL OR active_until > active_from)
);

-- readonly sees channels without their secret, the outbox (dead letters), silences, windows.
GRANT SELECT (id, name, kind, settings, send_resolved, enabled, created_at, updated_at)
  ON vigil.notification_channels TO vigil_readonly;
GRANT SELECT ON vigil.notification_outbox, vigil.alert_silences, vigil.maintenance_windows TO vigil_readonly;
-- devops manages silences and maintenance windows (and acknowledges, see 0008); not rules or channels.
GRANT INSERT, UPDATE, DELETE ON vigil.alert_silences, vigil.maintenance_windows TO vigil_devops;
-- admin owns channels (with their secrets) and may requeue dead letters.
GRANT SELECT, INSERT, UPDATE, DELETE ON vigil.notification_channels TO vigil_admin;
GRANT UPDATE (state, attempts, next_attempt_at, locked_until, last_error) ON vigil.notification_outbox TO vigil_admin;
GRANT DELETE ON vigil.notification_outbox TO vigil_admin;
