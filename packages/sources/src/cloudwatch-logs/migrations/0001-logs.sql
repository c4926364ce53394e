-- CloudWatch Logs: the groups /aws/lambda/NAME, one stream per execution environment, their events.
CREATE TABLE logs_groups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL            -- epoch ms, service time
);

CREATE TABLE logs_streams (
  id INTEGER PRIMARY KEY,
  group_id INTEGER NOT NULL REFERENCES logs_groups (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  first_event_at INTEGER,
  last_event_at INTEGER,
  last_ingestion_at INTEGER,
  UNIQUE (group_id, name)
);

-- seq orders events as ingested (tokens and eventIds are built on it); integer keys and one index
-- keep the per-line insert (and its later trim) cheap: a stream's reads walk its group's index,
-- which the per-group cap keeps short. The ingestion time is the event's timestamp (service time).
CREATE TABLE logs_events (
  seq INTEGER PRIMARY KEY,
  group_id INTEGER NOT NULL,
  stream_id INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX logs_events_by_group ON logs_events (group_id, seq);
