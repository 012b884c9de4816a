-- Incident pages to a person used to be queued as `email:<address>`, so the address sat in
-- notification_outbox.channel_name (and in last_error, whose reasons quote the target) where
-- vigil_readonly and vigil_devops can read it, while users.email is admin-only. Pages are now
-- queued as `user:<id>` and the delivery worker reads the address when it sends.
--
-- Rows already there: an address that belongs to exactly one user (compared case-insensitively)
-- becomes that user's `user:<id>` target, so a pending page is still delivered and the history
-- still says who was paged. Any other address (no user, or shared by several) is masked as
-- `email:masked-<row id>`: kept for the count and the error text, but the address is gone. A
-- masked row that was still pending can never be sent, so it becomes a dead letter that says so.
-- Where the old address appears verbatim in last_error it is replaced by the new target.
WITH m AS (
  SELECT o.id, o.channel_name AS old, substr(o.channel_name, 7) AS address,
         coalesce((SELECT 'user:' || min(u.id) FROM vigil.users u
                    WHERE lower(u.email) = lower(substr(o.channel_name, 7)) HAVING count(*) = 1),
                  'email:masked-' || o.id) AS target
    FROM vigil.notification_outbox o
   WHERE o.channel_name LIKE 'email:%'
)
UPDATE vigil.notification_outbox o
   SET channel_name = m.target,
       state = CASE WHEN o.state = 'pending' AND m.target LIKE 'email:masked-%' THEN 'dead' ELSE o.state END,
       locked_until = CASE WHEN o.state = 'pending' AND m.target LIKE 'email:masked-%' THEN NULL ELSE o.locked_until END,
       last_error = CASE
         WHEN o.state = 'pending' AND m.target LIKE 'email:masked-%'
           THEN 'the address of this page matched no single user, so it was masked when pages moved to user ids (migration 0042)'
         ELSE left(replace(replace(o.last_error, m.old, m.target), m.address, m.target), 2000)
       END
  FROM m
 WHERE o.id = m.id;
