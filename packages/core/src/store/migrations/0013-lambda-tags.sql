-- Tags of Lambda's taggable resources (TagResource; CreateFunction's and CreateEventSourceMapping's
-- Tags): a function by name, an event source mapping by UUID. `tags`: a JSON object, key to value.
CREATE TABLE lambda_tags (
  kind TEXT NOT NULL CHECK (kind IN ('function', 'event-source-mapping')),
  id TEXT NOT NULL,
  tags TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);
