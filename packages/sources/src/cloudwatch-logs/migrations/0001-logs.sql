-- CloudWatch Logs: the groups /aws/lambda/NAME, one stream per execution environment, their events.
CREATE TABLE logs_groups (
  name TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL            -- epoch ms, service time
);

CREATE TABLE logs_streams (
  grp TEXT NOT NULL REFERENCES logs_groups (name) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  first_event_at INTEGER,
  last_event_at INTEGER,
  last_ingestion_at INTEGER,
  PRIMARY KEY (grp, name)
);

-- seq orders events as ingested; tokens and eventIds are built on it.
CREATE TABLE logs_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  grp TEXT NOT NULL,
  stream TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  ingested_at INTEGER NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX logs_events_by_stream ON logs_events (grp, stream, seq);
CREATE INDEX logs_events_by_group ON logs_events (grp, seq);
