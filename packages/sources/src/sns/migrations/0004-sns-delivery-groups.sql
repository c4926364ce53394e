-- A FIFO topic's deliveries carry their message group: a subscription's group is delivered one
-- message at a time, in order, so a later message waits while an earlier one of its group is in
-- flight or waiting to be retried (SNS FIFO message ordering). NULL for standard topics.
ALTER TABLE sns_deliveries ADD COLUMN message_group_id TEXT;
UPDATE sns_deliveries SET message_group_id = (
  SELECT json_extract(m.message, '$.MessageGroupId') FROM sns_messages m
  WHERE m.id = sns_deliveries.message_id AND json_extract(m.message, '$.SequenceNumber') IS NOT NULL
);
-- The head of each (subscription, group): one index seek.
CREATE INDEX sns_deliveries_group ON sns_deliveries (subscription_arn, message_group_id, id) WHERE message_group_id IS NOT NULL;
