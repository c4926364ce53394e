-- Receipt handles name their message's row (seq), so a delete or a visibility change finds it by
-- primary key. The receipt-handle index and the unique message-id index go: both were updated at
-- a random page for every message sent, received and deleted, about half of what each batch wrote.
CREATE TABLE sqs_messages_rebuilt (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL REFERENCES sqs_queues (name) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  body TEXT NOT NULL,
  message_attributes TEXT,
  md5_body TEXT NOT NULL,
  md5_attributes TEXT,
  sent_at INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_receive_at INTEGER,
  receipt_handle TEXT,
  group_id TEXT,
  dedup_id TEXT,
  sequence_number TEXT,
  dead_letter_source TEXT
);
INSERT INTO sqs_messages_rebuilt (seq, queue, message_id, body, message_attributes, md5_body, md5_attributes, sent_at, visible_at, receive_count, first_receive_at, receipt_handle, group_id, dedup_id, sequence_number, dead_letter_source)
  SELECT seq, queue, message_id, body, message_attributes, md5_body, md5_attributes, sent_at, visible_at, receive_count, first_receive_at, receipt_handle, group_id, dedup_id, sequence_number, dead_letter_source FROM sqs_messages;
-- Row numbers are never reused, deleted ones included.
DELETE FROM sqlite_sequence WHERE name = 'sqs_messages_rebuilt';
INSERT INTO sqlite_sequence (name, seq) SELECT 'sqs_messages_rebuilt', seq FROM sqlite_sequence WHERE name = 'sqs_messages';
DROP TABLE sqs_messages;
ALTER TABLE sqs_messages_rebuilt RENAME TO sqs_messages;
CREATE INDEX sqs_messages_by_visibility ON sqs_messages (queue, visible_at, seq);
CREATE INDEX sqs_messages_by_sent ON sqs_messages (queue, sent_at);
