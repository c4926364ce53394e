-- FIFO topics' deduplication ids, remembered for 5 minutes (SNS FIFO message deduplication), so a
-- publish retried after a restart of the simulator is still recognised as a duplicate.
CREATE TABLE sns_dedup (
  topic_arn TEXT NOT NULL,
  dedup_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  sequence_number TEXT NOT NULL,
  expires_at INTEGER NOT NULL,   -- epoch ms, service time
  PRIMARY KEY (topic_arn, dedup_id)
) WITHOUT ROWID;
