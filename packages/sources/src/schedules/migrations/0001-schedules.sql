-- Schedules (DESIGN.md: a schedule created is in SQLite before the response is sent). One table
-- for both APIs: EventBridge Scheduler schedules (kind 'scheduler', grp = schedule group) and
-- EventBridge scheduled rules (kind 'rule', grp = event bus, always 'default').
CREATE TABLE schedules (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  grp TEXT NOT NULL,
  name TEXT NOT NULL,
  definition TEXT NOT NULL,      -- JSON: expression, zone, dates, state, window, targets (AWS names)
  created_at INTEGER NOT NULL,   -- epoch ms, service time
  modified_at INTEGER NOT NULL,
  anchor_at INTEGER NOT NULL,    -- rate schedules count from here (aws-facts §9.1)
  UNIQUE (kind, grp, name)
);

-- Written at every fire, so kept narrow and apart from the definitions: a minute's fires then
-- rewrite a few small pages, not every wide row (bench/schedules).
CREATE TABLE schedules_fires (
  schedule_id INTEGER PRIMARY KEY REFERENCES schedules (id) ON DELETE CASCADE,
  last_fire_at INTEGER,          -- scheduled time of the last fire delivered
  skipped_through INTEGER        -- fires up to here were missed while lambda-sim was down (reported once)
);
