-- Lambda layers (PublishLayerVersion): one row per layer name with the next version number (AWS
-- never reuses a deleted version's number), one per version with its unpacked content, and the
-- layer version permissions (AddLayerVersionPermission statements) as JSON.
CREATE TABLE layers (
  name TEXT PRIMARY KEY,
  next_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE layer_versions (
  name TEXT NOT NULL REFERENCES layers (name) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  license_info TEXT,
  compatible_runtimes TEXT,
  compatible_architectures TEXT,
  created_date TEXT NOT NULL,
  code_dir TEXT NOT NULL,
  code_sha256 TEXT NOT NULL,
  code_size INTEGER NOT NULL,
  unzipped_size INTEGER NOT NULL,
  source TEXT NOT NULL DEFAULT 'api' CHECK (source IN ('api', 'config')),
  policy TEXT,
  PRIMARY KEY (name, version)
);
