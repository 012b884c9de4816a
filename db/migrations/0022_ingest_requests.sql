-- Idempotency keys of ingest requests. error_logs has no natural key (two identical log lines are
-- two events), so a batch retried after a lost acknowledgement would be written twice. A client
-- that sends "Idempotency-Key" gets one row here, inserted IN THE TRANSACTION THAT COMMITS ITS
-- ROWS: the key exists if and only if its rows do. A retry with the same key finds it and is
-- answered with the stored summary instead of writing again.
--
-- Keys are scoped to the API token and the endpoint. The database role is shared by every token
-- of that role, so the database cannot tell two ingest tokens apart; rather than a row-level
-- policy on a session setting the application would set anyway, vigil_ingest gets no privilege
-- on the table at all and two narrow SECURITY DEFINER functions instead: one inserts a key (never
-- updates or deletes), one returns the body hash and summary stored for one (token, endpoint,
-- key). Neither exposes any telemetry, and a key cannot be read without knowing it.
CREATE TABLE vigil.ingest_requests (
  token_id     bigint NOT NULL REFERENCES vigil.api_tokens (id) ON DELETE CASCADE,
  endpoint     text NOT NULL CHECK (endpoint ~ '^/api/v1/[a-z/]{1,40}$'),
  key          text NOT NULL CHECK (key ~ '^[A-Za-z0-9._~:+=/-]{1,128}$'),
  body_sha256  bytea NOT NULL CHECK (length(body_sha256) = 32),
  -- The summary the first request was answered with (accepted, rejected, errors …).
  response     jsonb NOT NULL
               CHECK (jsonb_typeof(response) = 'object' AND pg_column_size(response) <= 65536),
  committed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (token_id, endpoint, key)
);
CREATE INDEX ingest_requests_committed_at_idx ON vigil.ingest_requests (committed_at);

GRANT SELECT, DELETE ON vigil.ingest_requests TO vigil_admin;

CREATE FUNCTION vigil.record_ingest_requests(
  p_token_id bigint[], p_endpoint text[], p_key text[], p_body_sha256 bytea[], p_response jsonb[])
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = vigil, pg_temp
AS $$
  -- No ON CONFLICT: a concurrent request with the same key waits on the primary key until the
  -- first one commits, then fails with 23505 and its rows roll back with it.
  INSERT INTO vigil.ingest_requests (token_id, endpoint, key, body_sha256, response)
  SELECT * FROM unnest(p_token_id, p_endpoint, p_key, p_body_sha256, p_response)
$$;

CREATE FUNCTION vigil.find_ingest_request(p_token_id bigint, p_endpoint text, p_key text)
RETURNS TABLE (body_sha256 bytea, response jsonb, committed_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = vigil, pg_temp
AS $$
  SELECT r.body_sha256, r.response, r.committed_at FROM vigil.ingest_requests r
   WHERE r.token_id = p_token_id AND r.endpoint = p_endpoint AND r.key = p_key
$$;

REVOKE ALL ON FUNCTION vigil.record_ingest_requests(bigint[], text[], text[], bytea[], jsonb[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION vigil.find_ingest_request(bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vigil.record_ingest_requests(bigint[], text[], text[], bytea[], jsonb[])
  TO vigil_ingest;
GRANT EXECUTE ON FUNCTION vigil.find_ingest_request(bigint, text, text) TO vigil_ingest;
