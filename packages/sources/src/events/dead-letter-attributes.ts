import type { TargetAttribute } from "@lambda-sim/core";

/** Why a delivery failed, as the dead-letter message's attributes tell it. */
export interface DeliveryFailure {
  code: string;
  message: string;
  retries: number;
  /** `MaximumRetryAttempts` or `MaximumEventAgeInSeconds` when retries ran out; none when not retried. */
  exhausted?: string;
}

/**
 * The message attributes EventBridge (rules) and Scheduler (schedules) put on a dead-letter
 * message (user guide "Event retry policy and using dead-letter queues"): ERROR_CODE,
 * ERROR_MESSAGE (first 1 KB), RETRY_ATTEMPTS, EXHAUSTED_RETRY_CONDITION, the rule's or schedule's
 * ARN under `sourceKey` (RULE_ARN, SCHEDULE_ARN) and TARGET_ARN.
 */
export function deadLetterAttributes(f: DeliveryFailure, sourceKey: "RULE_ARN" | "SCHEDULE_ARN", sourceArn: string, targetArn: string): Record<string, TargetAttribute> {
  const attr = (v: string | number): TargetAttribute => ({ DataType: typeof v === "number" ? "Number" : "String", StringValue: String(v) });
  const attributes: Record<string, TargetAttribute> = {
    ERROR_CODE: attr(f.code),
    ERROR_MESSAGE: attr(f.message.slice(0, 1024)),
    RETRY_ATTEMPTS: attr(f.retries),
    [sourceKey]: attr(sourceArn),
    TARGET_ARN: attr(targetArn),
  };
  if (f.exhausted !== undefined) attributes.EXHAUSTED_RETRY_CONDITION = attr(f.exhausted);
  return attributes;
}
