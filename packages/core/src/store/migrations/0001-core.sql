-- The function registry (DESIGN.md `FunctionRegistry`): $LATEST per function, immutable published
-- versions, aliases with routing weights. Configurations are stored as JSON documents of
-- FunctionVersionConfig; the registry keeps them all in memory and writes through.
CREATE TABLE functions (
  name TEXT PRIMARY KEY,
  source TEXT NOT NULL CHECK (source IN ('api', 'config')),
  latest TEXT NOT NULL,
  next_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE function_versions (
  name TEXT NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
  version TEXT NOT NULL,
  config TEXT NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE aliases (
  name TEXT NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
  alias TEXT NOT NULL,
  function_version TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  routing TEXT,
  revision_id TEXT NOT NULL,
  PRIMARY KEY (name, alias)
);
