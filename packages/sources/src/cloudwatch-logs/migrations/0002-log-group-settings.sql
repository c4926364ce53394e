-- What CreateLogGroup, PutRetentionPolicy and the tag operations set on a group (T1): kept with the
-- group, so a group Lambda auto-creates has none of them, and DeleteLogGroup drops them with it.
ALTER TABLE logs_groups ADD COLUMN retention_in_days INTEGER;   -- NULL: never expire (AWS default)
ALTER TABLE logs_groups ADD COLUMN kms_key_id TEXT;
ALTER TABLE logs_groups ADD COLUMN log_group_class TEXT NOT NULL DEFAULT 'STANDARD';
ALTER TABLE logs_groups ADD COLUMN deletion_protection INTEGER NOT NULL DEFAULT 0;
ALTER TABLE logs_groups ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';  -- JSON object, key to value
