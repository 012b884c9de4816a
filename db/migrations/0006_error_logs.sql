-- Error and event logs. severity follows syslog (RFC 5424): 0 emergency .. 7 debug, so
-- "severity <= 3" means "error or worse".
CREATE TABLE vigil.error_logs (
  id        bigint GENERATED ALWAYS AS IDENTITY,
  server_id bigint NOT NULL REFERENCES vigil.servers (id),
  ts        timestamptz NOT NULL,
  severity  smallint NOT NULL CHECK (severity BETWEEN 0 AND 7),
  source    text NOT NULL DEFAULT '' CHECK (length(source) <= 255),
  message   text NOT NULL CHECK (length(message) BETWEEN 1 AND 16384),
  context   jsonb NOT NULL DEFAULT '{}'
            CHECK (jsonb_typeof(context) = 'object' AND pg_column_size(context) <= 16384),
  PRIMARY KEY (server_id, ts, id)
) PARTITION BY RANGE (ts);
CREATE INDEX error_logs_ts_severity_idx ON vigil.error_logs (ts, severity);

GRANT SELECT ON vigil.error_logs TO vigil_readonly;
GRANT INSERT ON vigil.error_logs TO vigil_ingest;
GRANT DELETE ON vigil.error_logs TO vigil_admin;
