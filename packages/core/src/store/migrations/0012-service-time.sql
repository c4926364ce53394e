-- The high-water mark of service time (one row): a restart on the same state starts its clock no
-- earlier, so times stored under --time-scale or an advanced virtual clock are never in the future.
CREATE TABLE service_time (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  high_water_ms INTEGER NOT NULL
);
