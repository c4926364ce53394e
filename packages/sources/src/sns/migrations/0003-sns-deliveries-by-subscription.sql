-- Each subscription's deliveries in due order: a pass that leaves out the subscriptions at their
-- share of the delivery slots reads the others' oldest directly, rather than walking past a hung
-- subscriber's whole backlog in due order (review20 R20-11).
CREATE INDEX sns_deliveries_subscription ON sns_deliveries (subscription_arn, next_attempt_at);
