-- One row per monitored host. Everything else refers here by server_id.
CREATE TABLE vigil.servers (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hostname      text NOT NULL UNIQUE
                CHECK (hostname ~ '^[A-Za-z0-9]([A-Za-z0-9._-]{0,252})$'),
  region        text NOT NULL DEFAULT 'default'
                CHECK (region ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  environment   text NOT NULL DEFAULT 'production'
                CHECK (environment ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  labels        jsonb NOT NULL DEFAULT '{}'
                CHECK (jsonb_typeof(labels) = 'object' AND pg_column_size(labels) <= 4096),
  metadata      jsonb NOT NULL DEFAULT '{}'
                CHECK (jsonb_typeof(metadata) = 'object' AND pg_column_size(metadata) <= 16384),
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz,
  CHECK (last_seen_at IS NULL OR last_seen_at >= first_seen_at - interval '1 day')
);
CREATE INDEX servers_region_idx ON vigil.servers (region, hostname);
CREATE INDEX servers_labels_idx ON vigil.servers USING gin (labels jsonb_path_ops);

GRANT SELECT ON vigil.servers TO vigil_readonly;
-- ingest registers servers on first sight and keeps last_seen_at / labels current.
GRANT SELECT, INSERT ON vigil.servers TO vigil_ingest;
GRANT UPDATE (last_seen_at, labels, metadata, region, environment) ON vigil.servers TO vigil_ingest;
GRANT INSERT, UPDATE, DELETE ON vigil.servers TO vigil_admin;
