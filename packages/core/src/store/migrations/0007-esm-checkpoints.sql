-- Stream event source mapping checkpoints (DESIGN.md: Kinesis consumers resume from them after a
-- restart): per mapping and shard, the last record done and the open tumbling window.
CREATE TABLE esm_checkpoints (
  mapping_uuid TEXT NOT NULL,
  shard_id TEXT NOT NULL,
  sequence_number TEXT,      -- NULL: nothing done yet, start at the oldest record kept
  window_start INTEGER,      -- epoch ms of the open tumbling window, if any
  window_state TEXT,         -- its state (JSON) as the function last returned it
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (mapping_uuid, shard_id)
);
