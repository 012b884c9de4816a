-- Pages waiting for the alerts module to confirm them (0051) used to carry `email:<address>`
-- for a person; they now carry `user:<id>` and the address is read only when the mail is sent
-- (see 0042 for the outbox). Rewritten the same way: an address of exactly one user becomes
-- that user's target; any other is masked as `email:masked-<row id>`, which the alerts module
-- queues as a dead letter saying the address was masked, so the page is not silently lost.
UPDATE vigil.incident_page_requests p
   SET channel = coalesce((SELECT 'user:' || min(u.id) FROM vigil.users u
                            WHERE lower(u.email) = lower(substr(p.channel, 7)) HAVING count(*) = 1),
                          'email:masked-' || p.id)
 WHERE p.channel LIKE 'email:%';
