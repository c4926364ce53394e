-- Event source mappings (a Lambda API, owned by core; sources supply the pollers).
CREATE TABLE event_source_mappings (
  uuid TEXT PRIMARY KEY,
  function_name TEXT NOT NULL,
  source_arn TEXT NOT NULL,
  config TEXT NOT NULL,          -- JSON: BatchSize, MaximumBatchingWindowInSeconds, Enabled, ...
  last_modified INTEGER NOT NULL
);
