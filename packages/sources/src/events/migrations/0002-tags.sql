-- Tags of EventBridge buses and rules (TagResource; CreateEventBus's and PutRule's Tags), by
-- resource: `event-bus/NAME` or `rule/BUS/NAME` (scheduled rules too). `tags`: a JSON object.
CREATE TABLE events_tags (
  resource TEXT PRIMARY KEY,
  tags TEXT NOT NULL
);
