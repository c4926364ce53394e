-- DeleteStream answers at once and the stream is DELETING while its records are deleted in
-- chunks (record-sweeper.ts, fuzz19 F15); a restart finds it marked and finishes the delete.
ALTER TABLE kinesis_streams ADD COLUMN deleting INTEGER NOT NULL DEFAULT 0;
