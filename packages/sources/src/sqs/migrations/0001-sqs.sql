-- Simulated SQS queues and their messages (DESIGN.md: a message is here before SendMessage answers).
CREATE TABLE sqs_queues (
  name TEXT PRIMARY KEY,
  fifo INTEGER NOT NULL,
  attributes TEXT NOT NULL,      -- JSON of the settable attributes, AWS names, string values
  tags TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,   -- epoch ms, service time
  modified_at INTEGER NOT NULL,
  last_purge_at INTEGER
);

CREATE TABLE sqs_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL REFERENCES sqs_queues (name) ON DELETE CASCADE,
  message_id TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  message_attributes TEXT,       -- JSON of MessageAttributes as sent
  md5_body TEXT NOT NULL,
  md5_attributes TEXT,
  sent_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,   -- delay and visibility timeout both move this
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_receive_at INTEGER,
  receipt_handle TEXT,
  group_id TEXT,
  dedup_id TEXT,
  sequence_number TEXT
);
CREATE INDEX sqs_messages_by_visibility ON sqs_messages (queue, visible_at, seq);
CREATE INDEX sqs_messages_by_receipt ON sqs_messages (receipt_handle);

-- FIFO deduplication ids, remembered for 5 minutes (aws-facts §7).
CREATE TABLE sqs_dedup (
  queue TEXT NOT NULL REFERENCES sqs_queues (name) ON DELETE CASCADE,
  dedup_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  sequence_number TEXT,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (queue, dedup_id)
);
