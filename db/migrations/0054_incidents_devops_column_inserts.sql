-- 0009 granted devops INSERT on the whole incidents table, so a devops statement could open an
-- incident with a forged created_at (backdated), created_by (someone else) or source ('alert').
-- Like UPDATE in 0053, INSERT now covers only what a person chooses when opening one through
-- POST /incidents (src/incidents/queries.ts insertManualIncident): title, summary, severity,
-- region, assignee, escalation policy and the escalation start it implies. admin inherits the
-- same columns. Alert grouping inserts as the owner and still names every column.
REVOKE INSERT ON vigil.incidents FROM vigil_devops;
GRANT INSERT (title, summary, severity, region, assignee_id, escalation_policy_id, next_escalation_at)
  ON vigil.incidents TO vigil_devops;

-- The rest is stamped here for any role that may not name those columns: source is 'manual',
-- and who/when come from the request. PostgreSQL cannot know the API principal or Vigil's clock
-- (time comes from an injected clock, so tests and the lifecycle's other timestamps agree), so
-- the create path hands them over as transaction-local settings; without them the incident is
-- by nobody, at now(). This stops a stray or injected INSERT from choosing them; it is not a
-- wall against code that runs arbitrary SQL in the request's transaction, which could as well
-- set the settings (or RESET ROLE, since the session belongs to the owner).
CREATE FUNCTION vigil.incidents_stamp_creation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Invoker's rights: the check is about the role that inserts (the owner passes through).
  IF NOT has_column_privilege('vigil.incidents', 'created_at', 'INSERT') THEN
    NEW.source := 'manual';
    NEW.created_by := nullif(current_setting('vigil.incident_created_by', true), '')::bigint;
    NEW.created_at := coalesce(nullif(current_setting('vigil.incident_created_at', true), '')::timestamptz, now());
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER incidents_stamp_creation BEFORE INSERT ON vigil.incidents
  FOR EACH ROW EXECUTE FUNCTION vigil.incidents_stamp_creation();
