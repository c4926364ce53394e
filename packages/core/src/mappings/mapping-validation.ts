import type { MappingInput } from "../config/mapping-input.ts";
import { AwsError } from "../errors/aws-error.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import { parseFilterCriteria } from "./filter-criteria.ts";
import type { MappingRecord } from "./mapping-store.ts";
import type { PollerLimits } from "./poller.ts";

/** AWS's answer to an EventSourceArn of no service it maps (its message names the kinds it supports). */
export function unrecognizedEventSource(): AwsError {
  return lambdaErrors.invalidParameterValue("Unrecognized event source, must be kinesis, dynamodb stream, sqs, msk, mq, or documentdb.");
}

/**
 * Lambda's rules for a mapping on a polled (queue) source (aws-facts §6), with the source's own
 * limits (batch size default and maximum, the batching-window rule) from its PollerFactory.
 * AWS answers the first refusal.
 */
export function validateQueueMapping(m: QueueMappingValues, limits: PollerLimits): void {
  const first = queueMappingProblems(m, limits)[0];
  if (first !== undefined) throw first;
}

/** The values validateQueueMapping reads. */
export type QueueMappingValues = Pick<MappingRecord, "batchSize" | "batchWindowSeconds" | "maximumConcurrency">;

/**
 * Every refusal of validateQueueMapping, in its order (a configuration's start lists them all,
 * newuser13 N13-3). Without `limits` (the poller's, known once its source has started) the
 * batch size rules are left out.
 */
export function queueMappingProblems(m: QueueMappingValues, limits: PollerLimits | undefined): AwsError[] {
  const problems: AwsError[] = [];
  if (limits !== undefined && (m.batchSize < 1 || m.batchSize > limits.maxBatchSize)) {
    problems.push(new AwsError("ValidationException", 400, `1 validation error detected: Value '${m.batchSize}' at 'batchSize' failed to satisfy constraint: Member must have value ${m.batchSize < 1 ? "greater than or equal to 1" : `less than or equal to ${limits.maxBatchSize}`}`, { messageKey: "message" }));
  }
  if (m.batchWindowSeconds < 0 || m.batchWindowSeconds > MAX_BATCHING_WINDOW_SECONDS) {
    problems.push(new AwsError("ValidationException", 400, `1 validation error detected: Value '${m.batchWindowSeconds}' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value ${m.batchWindowSeconds < 0 ? "greater than or equal to 0" : `less than or equal to ${MAX_BATCHING_WINDOW_SECONDS}`}`, { messageKey: "message" }));
  } else if (limits?.windowRequiredAbove !== undefined && m.batchSize > limits.windowRequiredAbove && m.batchWindowSeconds < 1) {
    problems.push(lambdaErrors.invalidParameterValue(`Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than ${limits.windowRequiredAbove}`));
  }
  if (m.maximumConcurrency !== undefined && (m.maximumConcurrency < MAXIMUM_CONCURRENCY_RANGE[0] || m.maximumConcurrency > MAXIMUM_CONCURRENCY_RANGE[1])) {
    problems.push(new AwsError("ValidationException", 400, `1 validation error detected: Value '${m.maximumConcurrency}' at 'scalingConfig.maximumConcurrency' failed to satisfy constraint: Member must have value between 2 and 1000`, { messageKey: "message" }));
  }
  return problems;
}

/** MaximumBatchingWindowInSeconds: 0 to 300 (botocore lambda model, aws-facts §6). */
export const MAX_BATCHING_WINDOW_SECONDS = 300;
/** ScalingConfig.MaximumConcurrency: 2 to 1,000 (botocore lambda model, aws-facts §6). */
export const MAXIMUM_CONCURRENCY_RANGE = [2, 1000] as const;

/** Validates FilterCriteria (throws InvalidParameterValueException) and keeps the patterns as written. */
export function filterCriteriaOf(input: MappingInput["FilterCriteria"]): MappingRecord["filterCriteria"] {
  const filters = parseFilterCriteria(input);
  return filters === undefined ? undefined : { Filters: filters.map((f) => ({ Pattern: f.pattern })) };
}

/** A FunctionName or EventSourceArn that is not a string is a client error, not a crash. */
export function checkStringMembers(input: MappingInput): void {
  for (const [key, member] of [["FunctionName", "functionName"], ["EventSourceArn", "eventSourceArn"]] as const) {
    const v: unknown = input[key];
    if (v !== undefined && v !== null && typeof v !== "string") {
      throw new AwsError("ValidationException", 400, `1 validation error detected: Value '${JSON.stringify(v)}' at '${member}' failed to satisfy constraint: Member must be a string`, { messageKey: "message" });
    }
  }
}

/**
 * MetricsConfig (botocore lambda model: EventSourceMappingMetric EventCount | ErrorCount |
 * KafkaMetrics): SQS and stream mappings publish the EventCount metrics; the other two are for
 * Kafka sources, which lambda-sim does not have. `{}` or an empty list turns the metrics off.
 * The refusal's wording is ours.
 */
export function metricsConfigOf(input: MappingInput["MetricsConfig"]): MappingRecord["metricsConfig"] {
  const metrics = input?.Metrics ?? [];
  for (const m of metrics) {
    if (m !== "EventCount") throw lambdaErrors.invalidParameterValue(`Unsupported MetricsConfig metric ${m} for given event source mapping type: only EventCount is available.`);
  }
  return metrics.length === 0 ? undefined : { Metrics: [...new Set(metrics)] };
}

/** ScalingConfig is for polled queue sources only (botocore lambda model): a stream mapping would ignore it. Our wording. */
export function rejectQueueOnlyParams(input: MappingInput): void {
  if (input.ScalingConfig !== undefined && input.ScalingConfig !== null) throw lambdaErrors.invalidParameterValue("Unsupported ScalingConfig parameter for given event source mapping type.");
}
