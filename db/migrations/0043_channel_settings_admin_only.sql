-- 0040 let vigil_readonly (and so vigil_devops) select notification_channels.settings, which
-- holds who a channel reaches: an e-mail channel's `to` list, sender and SMTP username, a
-- webhook's target URL. Those are addresses (PII) and endpoints, not something a reader of
-- alerts needs, and neither role may configure channels (0040: admin owns them). readonly keeps
-- the columns that say which channels exist and whether they are on; settings, like the sealed
-- secret, is admin's alone (admin holds SELECT on the whole table since 0040).
REVOKE SELECT ON vigil.notification_channels FROM vigil_readonly;
GRANT SELECT (id, name, kind, send_resolved, enabled, created_at, updated_at)
  ON vigil.notification_channels TO vigil_readonly;
