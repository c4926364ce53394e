-- Function URL configs (CreateFunctionUrlConfig) and functions' resource-based policy statements
-- (AddPermission). The url id is part of the address, so it is kept across restarts.
CREATE TABLE function_url_configs (
  function_name TEXT NOT NULL,
  qualifier TEXT NOT NULL,              -- '' for the unqualified function ($LATEST), else an alias
  url_id TEXT NOT NULL UNIQUE,
  auth_type TEXT NOT NULL,              -- NONE | AWS_IAM
  invoke_mode TEXT NOT NULL,            -- BUFFERED | RESPONSE_STREAM
  cors TEXT,                            -- JSON, AWS's Cors shape
  creation_time TEXT NOT NULL,
  last_modified_time TEXT NOT NULL,
  source TEXT NOT NULL,                 -- api | config
  PRIMARY KEY (function_name, qualifier)
);

CREATE TABLE function_policy_statements (
  function_name TEXT NOT NULL,
  qualifier TEXT NOT NULL,              -- '' for the unqualified function
  sid TEXT NOT NULL,
  statement TEXT NOT NULL,              -- JSON, as GetPolicy returns it
  seq INTEGER NOT NULL,
  PRIMARY KEY (function_name, qualifier, sid)
);
