-- EventBridge buses and their pattern rules (scheduled rules stay in the schedules tables), and
-- the deliveries PutEvents accepted: written before PutEvents answers, deleted once the target
-- has the event, so events accepted but not yet delivered survive a crash (DESIGN.md).
CREATE TABLE events_buses (
  name TEXT PRIMARY KEY,
  description TEXT,
  created_at INTEGER NOT NULL,   -- epoch ms, service time
  modified_at INTEGER NOT NULL
);

CREATE TABLE events_rules (
  bus TEXT NOT NULL REFERENCES events_buses (name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  definition TEXT NOT NULL,      -- JSON: EventPattern, State, Description, RoleArn, Targets (AWS names)
  PRIMARY KEY (bus, name)
);

CREATE TABLE events_deliveries (
  id INTEGER PRIMARY KEY,
  rule_arn TEXT NOT NULL,
  target TEXT NOT NULL,          -- JSON: the target as it was when the event matched
  body TEXT NOT NULL,            -- what the target receives (after Input/InputPath/InputTransformer)
  event TEXT NOT NULL,           -- the event as the bus received it: the dead-letter message body
  accepted_at INTEGER NOT NULL,  -- epoch ms: the event's age counts from here (MaximumEventAgeInSeconds)
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER NOT NULL
);
CREATE INDEX events_deliveries_due ON events_deliveries (due_at);
