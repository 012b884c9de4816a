-- 0009 granted devops UPDATE on the whole incidents table, so a devops principal could rewrite
-- with raw SQL columns the product never lets them touch: when the incident was opened
-- (created_at), who opened it, where it came from (source) and its region. Narrow it to the
-- columns the lifecycle API writes under the caller's role (src/incidents/queries.ts):
--   acknowledge / resolve / reopen: status, acknowledged_at/_by, resolved_at/_by,
--                                   escalation_step, escalation_repeats_done, next_escalation_at
--   PATCH /incidents/:id:           title, summary, severity, assignee_id, escalation_policy_id
--                                   (and the escalation state it restarts)
-- The escalation job and alert grouping run as the owner and need no grant. admin holds no
-- UPDATE of its own here: it inherits exactly these columns from devops, as nothing in Vigil
-- edits the others. SELECT … FOR UPDATE (lockIncident) needs UPDATE on any one column, so it
-- keeps working.
REVOKE UPDATE ON vigil.incidents FROM vigil_devops;
GRANT UPDATE (status, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
              title, summary, severity, assignee_id,
              escalation_policy_id, escalation_step, escalation_repeats_done, next_escalation_at)
  ON vigil.incidents TO vigil_devops;
