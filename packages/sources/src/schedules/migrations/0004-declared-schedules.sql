-- Schedules a configuration declares (lambda-sim.yaml's `schedules:`, a template's): one no longer
-- declared at the next start is removed, as CloudFormation removes a resource taken out of a
-- template; one made through the API (0) is left alone (review19 R19-9).
ALTER TABLE schedules ADD COLUMN declared INTEGER NOT NULL DEFAULT 0;
