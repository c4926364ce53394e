-- Simulated Kinesis data streams (DESIGN.md: a record is here before PutRecord answers).
CREATE TABLE kinesis_streams (
  name TEXT PRIMARY KEY,
  mode TEXT NOT NULL,              -- PROVISIONED | ON_DEMAND
  retention_hours INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL      -- epoch ms, service time
);

CREATE TABLE kinesis_shards (
  stream TEXT NOT NULL REFERENCES kinesis_streams (name) ON DELETE CASCADE,
  shard_index INTEGER NOT NULL,
  starting_hash TEXT NOT NULL,     -- decimal, 0 .. 2^128-1
  ending_hash TEXT NOT NULL,
  starting_seq INTEGER NOT NULL,   -- the record counter when the shard opened
  PRIMARY KEY (stream, shard_index)
);

-- One counter for every record: sequence numbers increase per shard (and here across shards too).
-- No foreign key: PutRecords inserts hundreds of rows per request and checks the stream itself.
CREATE TABLE kinesis_records (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  stream TEXT NOT NULL,
  shard_index INTEGER NOT NULL,
  partition_key TEXT NOT NULL,
  data BLOB NOT NULL,
  arrival_at INTEGER NOT NULL      -- epoch ms, service time (ApproximateArrivalTimestamp)
);
CREATE INDEX kinesis_records_by_shard ON kinesis_records (stream, shard_index, seq);
