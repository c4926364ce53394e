-- The X-Ray trace header an Event invocation came with: its attempts carry the caller's trace and
-- Lineage on, so a recursive loop through Event invocations or SNS is stopped after a restart too.
ALTER TABLE async_events ADD COLUMN trace_header TEXT;
