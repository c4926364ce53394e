-- Event invocations accepted with 202 (DESIGN.md "State and durability"): a row exists before the
-- 202 is sent and is deleted once the event has run. The async issue adds attempts and retries.
CREATE TABLE async_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL UNIQUE,
  function_name TEXT NOT NULL,
  qualifier TEXT,
  payload BLOB NOT NULL,
  enqueued_at INTEGER NOT NULL
);
