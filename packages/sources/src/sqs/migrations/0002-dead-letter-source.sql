-- The queue a message was redriven from, so StartMessageMoveTask can return it there.
ALTER TABLE sqs_messages ADD COLUMN dead_letter_source TEXT;
