-- Per-server anomaly detection settings and the runner's scoring watermark.
--
-- anomaly_settings: an operator's knobs. sensitivity multiplies the detectors' calibrated
-- surprise (1 = shipped default, 2 = alarm on events far less extreme, 0.5 = only on much
-- rarer ones); muted stops anomaly rows (the server is still scored, so unmuting does not
-- start from a cold model); muted_until mutes for a maintenance window. A server with no row
-- uses the defaults.
CREATE TABLE vigil.anomaly_settings (
  server_id   bigint PRIMARY KEY REFERENCES vigil.servers (id) ON DELETE CASCADE,
  sensitivity real NOT NULL DEFAULT 1 CHECK (sensitivity > 0 AND sensitivity <= 10),
  muted       boolean NOT NULL DEFAULT false,
  muted_until timestamptz,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- anomaly_state: how far each server's samples have been scored. The detectors keep their
-- state in memory; after a restart the runner rebuilds it by replaying the samples before
-- the watermark (without writing anomalies), then scores only what is newer.
CREATE TABLE vigil.anomaly_state (
  server_id  bigint PRIMARY KEY REFERENCES vigil.servers (id) ON DELETE CASCADE,
  scored_to  timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT ON vigil.anomaly_settings, vigil.anomaly_state TO vigil_readonly;
-- devops (and admin, which inherits devops) tune and mute; nobody but the runner (the
-- owner) moves the watermark.
GRANT INSERT, UPDATE, DELETE ON vigil.anomaly_settings TO vigil_devops;
