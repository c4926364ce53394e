-- PutFunctionRecursionConfig's RecursiveLoop per function; NULL = AWS's default, Terminate.
ALTER TABLE functions ADD COLUMN recursive_loop TEXT;
