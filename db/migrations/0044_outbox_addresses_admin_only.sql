-- An escalation step may still name a literal `email:<address>` (a mailbox that belongs to no
-- user, e.g. a team list). The page is queued with that target, so the address sat in
-- notification_outbox.channel_name, and SMTP refusals quote it in last_error, both readable by
-- vigil_readonly (and so devops) while users' addresses are admin-only (0042 did this for pages
-- to users). The delivery worker needs the address where it is, so instead of moving it, non-admin
-- roles now read the outbox through a view that hides it:
--   channel_name  `email:<address>` reads `email:<address hidden>` (the masked placeholders of
--                 0042, `email:masked-<id>`, carry no address and are shown as they are);
--   last_error    the address replaced by `<address hidden>`, case-insensitively.
-- admin (and the owner) see the real values through the same view, so the API has one query.
-- The view runs with its owner's rights (no security_invoker), so the roles need no grant on the
-- table; current_user inside it is still the caller, which is what pg_has_role checks.
CREATE VIEW vigil.notification_deliveries WITH (security_barrier) AS
SELECT o.id, o.channel_id,
       CASE WHEN m.hide THEN 'email:<address hidden>' ELSE o.channel_name END AS channel_name,
       o.source, o.dedup_key, o.payload, o.state, o.attempts, o.next_attempt_at, o.locked_until,
       CASE WHEN m.hide
            -- Every character of the address but letters and digits escaped: a literal pattern.
            THEN regexp_replace(o.last_error,
                                regexp_replace(substr(o.channel_name, 7), '([^A-Za-z0-9])', '\\\1', 'g'),
                                '<address hidden>', 'gi')
            ELSE o.last_error END AS last_error,
       o.created_at, o.delivered_at
  FROM vigil.notification_outbox o
 CROSS JOIN LATERAL (
   SELECT o.channel_name LIKE 'email:%' AND o.channel_name !~ '^email:masked-[0-9]+$'
          AND length(o.channel_name) > 6 AND NOT pg_has_role('vigil_admin', 'USAGE') AS hide
 ) m;

REVOKE SELECT ON vigil.notification_outbox FROM vigil_readonly;
-- admin inherited SELECT from readonly; it keeps reading the table (and needs to, to requeue).
GRANT SELECT ON vigil.notification_outbox TO vigil_admin;
GRANT SELECT ON vigil.notification_deliveries TO vigil_readonly;
