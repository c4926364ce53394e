-- EventBridge Scheduler schedule groups (CreateScheduleGroup). The default group always exists;
-- it has no creation date (as moto answers; AWS's own is unrecorded).
CREATE TABLE schedule_groups (
  name TEXT PRIMARY KEY,
  created_at INTEGER,            -- epoch ms, service time; NULL for the default group
  modified_at INTEGER,
  tags TEXT NOT NULL DEFAULT '{}' -- JSON object, key to value, in the order they were added
);
INSERT INTO schedule_groups (name, created_at, modified_at) VALUES ('default', NULL, NULL);
