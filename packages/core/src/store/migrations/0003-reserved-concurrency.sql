-- Reserved concurrency per function (PutFunctionConcurrency); NULL = none (uses the unreserved pool).
ALTER TABLE functions ADD COLUMN reserved_concurrency INTEGER;
