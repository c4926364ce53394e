-- Asynchronous invocation (issue 5). AWS's retries need each event's progress to survive a
-- restart: invocations so far (approximateInvokeCount), throttles since the function last ran (the
-- backoff exponent), when the next attempt is due, and the last response (EventAgeExceeded records
-- carry it). `final_condition` is set while an event's destinations are being delivered, so a crash
-- then delivers again instead of running the function a further time.
-- The table is rebuilt without UNIQUE on request_id: rows are addressed by seq, and a restart with
-- the same --seed draws the same request ids again, which must not refuse new events.
-- Existing rows keep their seq and are due at once.
CREATE TABLE async_events_v6 (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL,
  function_name TEXT NOT NULL,
  qualifier TEXT,
  payload BLOB NOT NULL,
  enqueued_at INTEGER NOT NULL,
  invocations INTEGER NOT NULL DEFAULT 0,
  throttles INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_response TEXT,
  final_condition TEXT
);
INSERT INTO async_events_v6 (seq, request_id, function_name, qualifier, payload, enqueued_at, next_attempt_at)
  SELECT seq, request_id, function_name, qualifier, payload, enqueued_at, enqueued_at FROM async_events;
DROP TABLE async_events;
ALTER TABLE async_events_v6 RENAME TO async_events;

-- PutFunctionEventInvokeConfig per function, version or alias ($LATEST for the unqualified name).
CREATE TABLE event_invoke_configs (
  name TEXT NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
  qualifier TEXT NOT NULL,
  maximum_retry_attempts INTEGER,
  maximum_event_age_in_seconds INTEGER,
  on_success TEXT,
  on_failure TEXT,
  last_modified INTEGER NOT NULL,
  PRIMARY KEY (name, qualifier)
);
