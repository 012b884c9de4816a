-- Anomalies found by the detectors: which server, which metrics, when, how sure (0..1),
-- which method, and a one-line explanation for the person reading it.
CREATE TABLE vigil.anomalies (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  server_id   bigint NOT NULL REFERENCES vigil.servers (id) ON DELETE CASCADE,
  ts          timestamptz NOT NULL,
  metrics     text[] NOT NULL CHECK (cardinality(metrics) BETWEEN 1 AND 32),
  score       double precision NOT NULL CHECK (score BETWEEN 0 AND 1),
  method      text NOT NULL CHECK (method IN ('ewma', 'robust_ewma', 'seasonal', 'isolation_forest', 'combined')),
  explanation text NOT NULL DEFAULT '' CHECK (length(explanation) <= 1000),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (server_id, ts, method)
);
CREATE INDEX anomalies_ts_idx ON vigil.anomalies (ts DESC);

GRANT SELECT ON vigil.anomalies TO vigil_readonly;
GRANT INSERT, UPDATE, DELETE ON vigil.anomalies TO vigil_admin;
