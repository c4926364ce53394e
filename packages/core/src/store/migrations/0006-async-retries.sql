-- Asynchronous invocation (issue 5): AWS's retries need each event's progress to survive a
-- restart: invocations so far (approximateInvokeCount), throttles since the last run (the backoff
-- exponent), when the next attempt is due, and the last response (EventAgeExceeded records carry
-- it). `final_condition` is set while an event's destinations are being delivered, so a crash then
-- delivers again instead of running the function a further time. Existing rows are due at once.
ALTER TABLE async_events ADD COLUMN invocations INTEGER NOT NULL DEFAULT 0;
ALTER TABLE async_events ADD COLUMN throttles INTEGER NOT NULL DEFAULT 0;
ALTER TABLE async_events ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE async_events ADD COLUMN last_response TEXT;
ALTER TABLE async_events ADD COLUMN final_condition TEXT;
UPDATE async_events SET next_attempt_at = enqueued_at;

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
