-- People and their API tokens. A user has exactly one role; a token acts as its user's role.
-- Tokens are 32 random bytes shown once; only their SHA-256 is stored (they are high-entropy
-- secrets, so a fast hash is enough and lets every request be checked with one index lookup).
CREATE TABLE vigil.users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'),
  email         text CHECK (email IS NULL OR (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 320)),
  role          text NOT NULL CHECK (role IN ('admin', 'devops', 'readonly', 'ingest')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz,
  anonymized_at timestamptz
);

CREATE TABLE vigil.api_tokens (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES vigil.users (id) ON DELETE CASCADE,
  name         text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
  token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  prefix       text NOT NULL CHECK (length(prefix) BETWEEN 4 AND 16),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz CHECK (expires_at IS NULL OR expires_at > created_at),
  revoked_at   timestamptz CHECK (revoked_at IS NULL OR revoked_at >= created_at),
  last_used_at timestamptz
);
CREATE INDEX api_tokens_user_idx ON vigil.api_tokens (user_id);

-- Who did what. The client IP is stored encrypted (AES-256-GCM, key from config) with a
-- keyed blind index (HMAC-SHA-256) so "all requests from this IP" needs no decryption.
CREATE TABLE vigil.user_access_logs (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ts             timestamptz NOT NULL DEFAULT now(),
  user_id        bigint REFERENCES vigil.users (id) ON DELETE SET NULL,
  token_id       bigint REFERENCES vigil.api_tokens (id) ON DELETE SET NULL,
  method         text NOT NULL CHECK (method ~ '^[A-Z]{3,7}$'),
  path           text NOT NULL CHECK (length(path) <= 2048),
  status         smallint NOT NULL CHECK (status BETWEEN 100 AND 599),
  ip_encrypted   bytea,
  ip_blind_index bytea CHECK (ip_blind_index IS NULL OR length(ip_blind_index) = 32),
  user_agent     text CHECK (length(user_agent) <= 512)
);
CREATE INDEX user_access_logs_ts_idx ON vigil.user_access_logs (ts);
CREATE INDEX user_access_logs_user_idx ON vigil.user_access_logs (user_id, ts);
CREATE INDEX user_access_logs_ip_idx ON vigil.user_access_logs (ip_blind_index) WHERE ip_blind_index IS NOT NULL;

-- Only admin sees people and tokens; nobody but the owner writes them (users are managed by
-- the CLI and admin API, which run as admin).
GRANT SELECT, INSERT, UPDATE, DELETE ON vigil.users, vigil.api_tokens TO vigil_admin;
GRANT SELECT ON vigil.user_access_logs TO vigil_admin;

-- Names (not e-mail addresses) are visible to every role, so incidents can show assignees.
GRANT SELECT (id, username, role, disabled_at) ON vigil.users TO vigil_readonly;
