-- The open tumbling window's records (JSON: shard, first and last sequence number and arrival,
-- count): its final invocation ages with them and, given up, goes to OnFailure as they would.
ALTER TABLE esm_checkpoints ADD COLUMN window_records TEXT;
