-- Whether a Lambda mapping ever ran its function with the message: NULL unknown (no mapping took it
-- yet, or one ran with it), 1 every receive so far was a throttled batch. Kept with the message so
-- its dead-letter move after a restart still says it never reached the function (newuser14 F20).
ALTER TABLE sqs_messages ADD COLUMN never_reached_function INTEGER;
