-- Stream mappings' batches held by retries (held-attempts.ts): each one's attempts so far, by the
-- batch's first record, saved with the checkpoints, so a restart of the simulator counts them on
-- as an UpdateEventSourceMapping does (review37 #11).
CREATE TABLE esm_held_attempts (
  mapping_uuid TEXT NOT NULL,
  shard_id TEXT NOT NULL,
  sequence_number TEXT NOT NULL,
  retries INTEGER NOT NULL,
  invokes INTEGER NOT NULL,
  PRIMARY KEY (mapping_uuid, shard_id, sequence_number)
);
