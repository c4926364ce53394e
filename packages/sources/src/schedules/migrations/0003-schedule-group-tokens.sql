-- CreateScheduleGroup's ClientToken (an idempotency token in botocore's scheduler model): the
-- same request again with the same token answers the group's ARN (review19 R19-9).
ALTER TABLE schedule_groups ADD COLUMN client_token TEXT;
