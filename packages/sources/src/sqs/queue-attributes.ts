import { sqsErrors } from "./sqs-errors.ts";

/** Settable attributes with AWS's ranges and defaults (aws-facts §7). */
export const NUMERIC_ATTRIBUTES: Record<string, { min: number; max: number; default: number }> = {
  VisibilityTimeout: { min: 0, max: 43_200, default: 30 },
  MessageRetentionPeriod: { min: 60, max: 1_209_600, default: 345_600 },
  DelaySeconds: { min: 0, max: 900, default: 0 },
  // 1 MiB since Aug 2025 (was 256 KiB).
  MaximumMessageSize: { min: 1_024, max: 1_048_576, default: 1_048_576 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, default: 0 },
  KmsDataKeyReusePeriodSeconds: { min: 60, max: 86_400, default: 300 },
};

const OTHER_SETTABLE = ["Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "SqsManagedSseEnabled", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"];
const FIFO_ONLY = ["ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"];
export const READ_ONLY_ATTRIBUTES = [
  "QueueArn",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
];

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** Defaults for a new queue, as GetQueueAttributes shows them. */
export function defaultAttributes(fifo: boolean): Record<string, string> {
  const out: Record<string, string> = { SqsManagedSseEnabled: "true" };
  for (const [k, v] of Object.entries(NUMERIC_ATTRIBUTES)) if (k !== "KmsDataKeyReusePeriodSeconds") out[k] = String(v.default);
  if (fifo) {
    out.FifoQueue = "true";
    out.ContentBasedDeduplication = "false";
    out.DeduplicationScope = "queue";
    out.FifoThroughputLimit = "perQueue";
  }
  return out;
}

/** Validates attributes for CreateQueue (`creating`) or SetQueueAttributes and returns them normalised. */
export function validateAttributes(input: Record<string, string> | undefined, fifo: boolean, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(input ?? {})) {
    const value = String(raw);
    const range = NUMERIC_ATTRIBUTES[name];
    if (range !== undefined) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < range.min || n > range.max) throw sqsErrors.invalidAttributeValue(`Invalid value for the parameter ${name}.`);
      out[name] = String(n);
    } else if (name === "FifoQueue") {
      if (!creating) throw sqsErrors.invalidAttributeName(name);
      if (value !== String(fifo)) throw sqsErrors.invalidAttributeValue(`Invalid value for the parameter ${name}.`);
      if (fifo) out[name] = "true";
    } else if (OTHER_SETTABLE.includes(name)) {
      if (FIFO_ONLY.includes(name) && !fifo) throw sqsErrors.invalidAttributeName(name);
      if (name === "RedrivePolicy" && value !== "") parseRedrivePolicy(value);
      out[name] = value;
    } else {
      throw sqsErrors.invalidAttributeName(name);
    }
  }
  return out;
}

/** RedrivePolicy is a JSON string; maxReceiveCount 1-1,000 (aws-facts §7). */
export function parseRedrivePolicy(value: string | undefined): RedrivePolicy | undefined {
  if (value === undefined || value === "") return undefined;
  let parsed: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    parsed = JSON.parse(value);
  } catch {
    throw sqsErrors.invalidAttributeValue(`Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.`);
  }
  const max = Number(parsed.maxReceiveCount);
  if (typeof parsed.deadLetterTargetArn !== "string" || !Number.isInteger(max) || max < 1 || max > 1000) {
    throw sqsErrors.invalidAttributeValue(`Value ${value} for parameter RedrivePolicy is invalid. Reason: Redrive policy needs deadLetterTargetArn and a maxReceiveCount between 1 and 1000.`);
  }
  return { deadLetterTargetArn: parsed.deadLetterTargetArn, maxReceiveCount: max };
}
