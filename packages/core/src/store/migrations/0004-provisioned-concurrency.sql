-- PutProvisionedConcurrencyConfig per published version or alias; environments are re-provisioned
-- from these rows after a restart.
CREATE TABLE provisioned_concurrency (
  name TEXT NOT NULL REFERENCES functions (name) ON DELETE CASCADE,
  qualifier TEXT NOT NULL,
  requested INTEGER NOT NULL,
  last_modified TEXT NOT NULL,
  PRIMARY KEY (name, qualifier)
);
