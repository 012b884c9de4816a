-- Pages an escalation decided to send, written in the same transaction as the timeline's
-- 'notified' entry. Incidents hands each to the alerts module with 'notification.requested'
-- after the commit; a crash in between, or an event nobody heard, would lose the page while the
-- timeline says "notified". So a row stays here until the alerts module confirms it queued the
-- message ('notification.enqueued'), and the escalation job hands over again whatever is still
-- here. The alerts outbox is idempotent per (channel, dedup key), so handing over twice sends once.
--
-- Rows are deleted on confirmation: the timeline is the record, the alerts outbox the delivery,
-- and `channel` may be email:<address>, which should not outlive its use.
CREATE TABLE vigil.incident_page_requests (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id  bigint NOT NULL REFERENCES vigil.incidents (id) ON DELETE CASCADE,
  channel      text NOT NULL CHECK (length(channel) BETWEEN 1 AND 400),
  -- 'incident-notify:<id of the notified timeline row>': unique per page.
  dedup_key    text NOT NULL UNIQUE CHECK (length(dedup_key) BETWEEN 1 AND 500),
  title        text NOT NULL CHECK (length(title) <= 1000),
  body         text NOT NULL CHECK (length(body) <= 10000),
  severity     text NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
  created_at   timestamptz NOT NULL,
  -- When the job hands it over again if still unconfirmed; backs off while nobody confirms.
  next_emit_at timestamptz NOT NULL,
  emits        integer NOT NULL DEFAULT 1 CHECK (emits >= 0)
);
CREATE INDEX incident_page_requests_due_idx ON vigil.incident_page_requests (next_emit_at);
-- No grants: only Vigil itself (the owner) pages; no role reads or writes this table.
