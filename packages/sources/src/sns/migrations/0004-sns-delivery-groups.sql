-- A FIFO topic's deliveries carry their message group: a subscription's group is delivered one
-- message at a time, in order, so a later message waits while an earlier one of its group is in
-- flight or waiting to be retried (SNS FIFO message ordering). NULL for standard topics.
ALTER TABLE sns_deliveries ADD COLUMN message_group_id TEXT;
UPDATE sns_deliveries SET message_group_id = (
  SELECT json_extract(m.message, '$.MessageGroupId') FROM sns_messages m
  WHERE m.id = sns_deliveries.message_id AND json_extract(m.message, '$.SequenceNumber') IS NOT NULL
);
-- A group's deliveries of a subscription, in order: one index seek for its next.
CREATE INDEX sns_deliveries_group ON sns_deliveries (subscription_arn, message_group_id, id) WHERE message_group_id IS NOT NULL;
-- A delivery behind an earlier one of its group waits, held (sns-store.ts HELD: core's LAST_DATE_MS), until that one is finished.
UPDATE sns_deliveries SET next_attempt_at = 8640000000000000
WHERE message_group_id IS NOT NULL AND id <> (
  SELECT min(g.id) FROM sns_deliveries g WHERE g.subscription_arn = sns_deliveries.subscription_arn AND g.message_group_id = sns_deliveries.message_group_id
);
