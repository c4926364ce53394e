-- A message's AWSTraceHeader system attribute (MessageSystemAttributes, or the sender's
-- X-Amzn-Trace-Id): ReceiveMessage answers it and Lambda carries its Lineage on (recursive loops).
ALTER TABLE sqs_messages ADD COLUMN trace_header TEXT;
