-- CloudWatch metrics as AWS keeps standard-resolution data: one statistic set per metric per minute.
CREATE TABLE metrics_minutes (
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  dimensions TEXT NOT NULL,     -- canonical JSON [{"Name","Value"}...], sorted by Name
  minute INTEGER NOT NULL,      -- epoch ms of the minute's start, service time
  unit TEXT NOT NULL,
  sample_count REAL NOT NULL,
  sum REAL NOT NULL,
  minimum REAL NOT NULL,
  maximum REAL NOT NULL,
  samples TEXT NOT NULL,        -- JSON array: every value, or a uniform sample of them, for pNN
  PRIMARY KEY (namespace, name, dimensions, minute)
) WITHOUT ROWID;
CREATE INDEX metrics_minutes_by_minute ON metrics_minutes (minute);
