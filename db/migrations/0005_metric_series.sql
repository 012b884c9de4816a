-- Any metric that is not a server_metrics column (every Prometheus series, for example):
-- a series is a name plus labels, optionally tied to a server; samples are narrow rows.
CREATE TABLE vigil.metric_series (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  server_id  bigint REFERENCES vigil.servers (id),
  name       text NOT NULL CHECK (name ~ '^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$'),
  labels     jsonb NOT NULL DEFAULT '{}'
             CHECK (jsonb_typeof(labels) = 'object' AND pg_column_size(labels) <= 4096),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (server_id, name, labels)
);
CREATE INDEX metric_series_name_idx ON vigil.metric_series (name);

CREATE TABLE vigil.metric_samples (
  series_id bigint NOT NULL REFERENCES vigil.metric_series (id),
  ts        timestamptz NOT NULL,
  -- NaN and infinities are refused: Prometheus staleness markers are dropped at ingest.
  value     double precision NOT NULL
            CHECK (value <> 'NaN'::float8 AND value > '-Infinity'::float8 AND value < 'Infinity'::float8),
  PRIMARY KEY (series_id, ts)
) PARTITION BY RANGE (ts);

GRANT SELECT ON vigil.metric_series, vigil.metric_samples TO vigil_readonly;
GRANT SELECT, INSERT ON vigil.metric_series TO vigil_ingest;
GRANT INSERT ON vigil.metric_samples TO vigil_ingest;
GRANT DELETE ON vigil.metric_series, vigil.metric_samples TO vigil_admin;
