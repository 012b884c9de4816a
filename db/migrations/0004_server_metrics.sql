-- One row per server per sample. Percentages are 0..100, network counters are the bytes moved
-- in the interval since the previous sample (never negative: agents handle counter wrap).
-- A NULL metric means "not measured by this source", not zero.
-- PRIMARY KEY (server_id, ts) makes a retried batch unable to duplicate a sample.
CREATE TABLE vigil.server_metrics (
  server_id         bigint NOT NULL REFERENCES vigil.servers (id),
  ts                timestamptz NOT NULL,
  cpu_usage         real CHECK (cpu_usage BETWEEN 0 AND 100),
  memory_usage      real CHECK (memory_usage BETWEEN 0 AND 100),
  disk_usage        real CHECK (disk_usage BETWEEN 0 AND 100),
  network_in_bytes  bigint CHECK (network_in_bytes >= 0),
  network_out_bytes bigint CHECK (network_out_bytes >= 0),
  load_1            real CHECK (load_1 >= 0 AND load_1 < 1e6),
  load_5            real CHECK (load_5 >= 0 AND load_5 < 1e6),
  load_15           real CHECK (load_15 >= 0 AND load_15 < 1e6),
  PRIMARY KEY (server_id, ts)
) PARTITION BY RANGE (ts);

GRANT SELECT ON vigil.server_metrics TO vigil_readonly;
GRANT INSERT ON vigil.server_metrics TO vigil_ingest;
GRANT DELETE ON vigil.server_metrics TO vigil_admin;
