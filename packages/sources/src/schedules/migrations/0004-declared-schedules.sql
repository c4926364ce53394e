-- Schedules a configuration declares (1: lambda-sim.yaml's `schedules:`, a template's translated
-- into it; 2: a template's schedule on an alias, made by its start-up action): one no longer
-- declared at the next start is removed, as CloudFormation removes a resource taken out of a
-- template; one made through the API (0) is left alone (review19 R19-9).
ALTER TABLE schedules ADD COLUMN declared INTEGER NOT NULL DEFAULT 0;
