-- Schema `vigil` and the four application roles.
-- Roles are cluster-wide, so they are created only when missing: several Vigil databases
-- (tests, staging) can share one PostgreSQL server. They are NOLOGIN: the application
-- connects as its owner user and switches with SET LOCAL ROLE per request, so the database
-- itself refuses what the caller's role may not do.
CREATE SCHEMA IF NOT EXISTS vigil;

DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['vigil_readonly', 'vigil_ingest', 'vigil_devops', 'vigil_admin'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
END $$;

-- Hierarchy: devops can do what readonly and ingest can; admin what devops can.
GRANT vigil_readonly TO vigil_devops;
GRANT vigil_ingest TO vigil_devops;
GRANT vigil_devops TO vigil_admin;

-- The owner (the user Vigil connects as) must be able to SET ROLE to each of them.
DO $$
BEGIN
  EXECUTE format('GRANT vigil_admin, vigil_devops, vigil_readonly, vigil_ingest TO %I', current_user);
END $$;

REVOKE ALL ON SCHEMA vigil FROM PUBLIC;
GRANT USAGE ON SCHEMA vigil TO vigil_readonly, vigil_ingest, vigil_devops, vigil_admin;
