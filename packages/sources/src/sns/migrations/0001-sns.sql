-- SNS (DESIGN.md: what is accepted is in SQLite before the response is sent). Topics and their
-- subscriptions, and each published message until every subscription it matched has it.
CREATE TABLE sns_topics (
  arn TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  attributes TEXT NOT NULL,      -- JSON: the attributes set by CreateTopic/SetTopicAttributes (AWS names)
  tags TEXT NOT NULL,            -- JSON: [{ Key, Value }]
  created_at INTEGER NOT NULL    -- epoch ms, service time
);

CREATE TABLE sns_subscriptions (
  arn TEXT PRIMARY KEY,
  topic_arn TEXT NOT NULL REFERENCES sns_topics (arn) ON DELETE CASCADE,
  protocol TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  attributes TEXT NOT NULL,      -- JSON: RawMessageDelivery, FilterPolicy, RedrivePolicy, ...
  token TEXT NOT NULL,           -- the confirmation token (http/https)
  pending INTEGER NOT NULL,      -- 1 until confirmed
  created_at INTEGER NOT NULL
);
CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_arn);

-- A message accepted by Publish, kept until its last delivery is done.
CREATE TABLE sns_messages (
  id INTEGER PRIMARY KEY,
  topic_arn TEXT NOT NULL,
  message TEXT NOT NULL          -- JSON: the notification (id, message, subject, attributes, timestamps, FIFO ids)
);

-- One row per (message, subscription) not yet delivered: attempts so far and when the next is due.
CREATE TABLE sns_deliveries (
  id INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES sns_messages (id) ON DELETE CASCADE,
  subscription_arn TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  first_attempt_at INTEGER NOT NULL
);
CREATE INDEX sns_deliveries_due ON sns_deliveries (next_attempt_at);
CREATE INDEX sns_deliveries_message ON sns_deliveries (message_id);
