-- Retention runs on every receive (DELETE ... WHERE queue = ? AND sent_at <= ?): without this index
-- it scanned the whole queue each time.
CREATE INDEX sqs_messages_by_sent ON sqs_messages (queue, sent_at);
