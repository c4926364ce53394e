import type { StreamMappingInput } from "../config/mapping-input.ts";
import { AwsError } from "../errors/aws-error.ts";
import { lambdaErrors } from "../errors/lambda-errors.ts";
import { arnService } from "../text/arn-fields.ts";
import type { StartingPosition } from "./stream-reader.ts";
import type { LastProcessingResult } from "./stream-batch-runner.ts";

/** CreateEventSourceMapping's stream parameters (botocore lambda model; aws-facts §8.2). */
export interface StreamMappingParams {
  startingPosition: StartingPosition;
  /** Epoch ms. */
  startingPositionTimestamp?: number;
  parallelizationFactor: number;
  bisectBatchOnFunctionError: boolean;
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  tumblingWindowInSeconds: number;
  onFailureDestination?: string;
}

/**
 * The stream-only parameters on a mapping of another kind (an SQS queue): AWS documents them as
 * "available only for DynamoDB and Kinesis event sources" and answers InvalidParameterValue; taking
 * them silently would let a user believe failed SQS batches go to an OnFailure destination.
 * The DestinationConfig message is AWS's (aws-facts §8.2); the others' wording is ours.
 */
export function rejectStreamOnlyParams(input: StreamMappingInput): void {
  const first = streamOnlyParamProblems(input)[0];
  if (first !== undefined) throw first;
}

/** Every stream-only parameter of a queue mapping, one refusal each, in rejectStreamOnlyParams's order. */
export function streamOnlyParamProblems(input: StreamMappingInput): AwsError[] {
  const problems: AwsError[] = [];
  const d = input.DestinationConfig;
  if (d !== undefined && d !== null && (d.OnFailure?.Destination || d.OnSuccess?.Destination)) {
    problems.push(lambdaErrors.invalidParameterValue("Unsupported DestinationConfig parameter for given event source mapping type."));
  }
  const streamOnly = ["StartingPosition", "StartingPositionTimestamp", "ParallelizationFactor", "BisectBatchOnFunctionError", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "TumblingWindowInSeconds"] as const;
  for (const key of streamOnly) {
    if (input[key] !== undefined && input[key] !== null) problems.push(lambdaErrors.invalidParameterValue(`Unsupported ${key} parameter for given event source mapping type.`));
  }
  return problems;
}

/** Stream mappings' BatchSize: default 100, at most 10,000 (aws-facts §8.2). */
export const STREAM_BATCH_SIZE = { default: 100, max: 10_000 };
const POSITIONS: readonly string[] = ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];
/** OnFailure may name SQS, SNS or S3 (aws-facts §8.2). */
const ON_FAILURE_SERVICES = new Set(["sqs", "sns", "s3"]);

function validation(value: unknown, member: string, constraint: string): AwsError {
  return new AwsError("ValidationException", 400, `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`, { messageKey: "message" });
}

/** The refusal of `value` outside min..max, if it is. */
function range(value: number, member: string, min: number, max: number): AwsError | undefined {
  if (!Number.isInteger(value) || value < min) return validation(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max) return validation(value, member, `Member must have value less than or equal to ${max}`);
  return undefined;
}

/**
 * The stream parameters of a new mapping (`current` undefined) or of an update, with AWS's
 * defaults: ParallelizationFactor 1, retries and record age -1 (until the records expire), no
 * bisection, no window. StartingPosition is fixed at creation.
 */
export function streamParams(input: StreamMappingInput, current: StreamMappingParams | undefined): StreamMappingParams {
  const p: StreamMappingParams = current === undefined
    ? {
        startingPosition: input.StartingPosition as StartingPosition,
        startingPositionTimestamp: input.StartingPositionTimestamp === undefined ? undefined : timestampMs(input.StartingPositionTimestamp),
        parallelizationFactor: 1,
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: -1,
        maximumRecordAgeInSeconds: -1,
        tumblingWindowInSeconds: 0,
      }
    : { ...current };
  if (input.ParallelizationFactor !== undefined) p.parallelizationFactor = input.ParallelizationFactor;
  if (input.BisectBatchOnFunctionError !== undefined) p.bisectBatchOnFunctionError = input.BisectBatchOnFunctionError;
  if (input.MaximumRetryAttempts !== undefined) p.maximumRetryAttempts = input.MaximumRetryAttempts;
  if (input.MaximumRecordAgeInSeconds !== undefined) p.maximumRecordAgeInSeconds = input.MaximumRecordAgeInSeconds;
  if (input.TumblingWindowInSeconds !== undefined) p.tumblingWindowInSeconds = input.TumblingWindowInSeconds;
  if (input.DestinationConfig !== undefined) {
    if (input.DestinationConfig.OnSuccess?.Destination) throw lambdaErrors.invalidParameterValue("Unsupported DestinationConfig parameter for given event source mapping type.");
    p.onFailureDestination = input.DestinationConfig.OnFailure?.Destination || undefined;
  }
  return p;
}

function timestampMs(t: number | string): number {
  return typeof t === "number" ? t * 1000 : Date.parse(t);
}

/** AWS's rules for stream mappings (aws-facts §8.2); `now` for the starting timestamp. AWS answers the first refusal. */
export function validateStreamParams(p: StreamMappingParams, batchSize: number, batchWindowSeconds: number, now: number): void {
  const first = streamParamProblems(p, batchSize, batchWindowSeconds, now)[0];
  if (first !== undefined) throw first;
}

/**
 * Every refusal of validateStreamParams, at most one per parameter, in its order: AWS's answer to a
 * request is the first; a configuration's start lists them all (newuser13 N13-3).
 */
export function streamParamProblems(p: StreamMappingParams, batchSize: number, batchWindowSeconds: number, now: number): AwsError[] {
  return [
    startingPositionProblem(p, now),
    range(batchSize, "batchSize", 1, STREAM_BATCH_SIZE.max),
    range(batchWindowSeconds, "maximumBatchingWindowInSeconds", 0, 300),
    range(p.parallelizationFactor, "parallelizationFactor", 1, 10),
    range(p.maximumRetryAttempts, "maximumRetryAttempts", -1, 10_000),
    // -1 means "until the records expire"; otherwise at least a minute (aws-facts §8.2).
    range(p.maximumRecordAgeInSeconds, "maximumRecordAgeInSeconds", -1, 604_800) ??
      (p.maximumRecordAgeInSeconds !== -1 && p.maximumRecordAgeInSeconds < 60 ? range(p.maximumRecordAgeInSeconds, "maximumRecordAgeInSeconds", 60, 604_800) : undefined),
    range(p.tumblingWindowInSeconds, "tumblingWindowInSeconds", 0, 900),
    p.onFailureDestination !== undefined && !ON_FAILURE_SERVICES.has(arnService(p.onFailureDestination))
      ? lambdaErrors.invalidParameterValue(`The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure(destination=${p.onFailureDestination})) is invalid.`)
      : undefined,
  ].filter((e) => e !== undefined);
}

function startingPositionProblem(p: StreamMappingParams, now: number): AwsError | undefined {
  if (p.startingPosition === undefined) return lambdaErrors.invalidParameterValue("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null");
  if (!POSITIONS.includes(p.startingPosition)) return validation(p.startingPosition, "startingPosition", "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]");
  if (p.startingPosition === "AT_TIMESTAMP") {
    if (p.startingPositionTimestamp === undefined || Number.isNaN(p.startingPositionTimestamp)) return lambdaErrors.invalidParameterValue("StartingPositionTimestamp must be provided when StartingPosition is AT_TIMESTAMP.");
    if (p.startingPositionTimestamp > now) return lambdaErrors.invalidParameterValue("StartingPositionTimestamp cannot be in the future.");
  } else if (p.startingPositionTimestamp !== undefined) {
    return lambdaErrors.invalidParameterValue("StartingPositionTimestamp should only be provided when StartingPosition is AT_TIMESTAMP.");
  }
  return undefined;
}

/** The stream fields of Get/Create/Update/ListEventSourceMappings, as AWS answers them (LS-ESM-KIN). */
export function streamShape(p: StreamMappingParams, lastProcessingResult: LastProcessingResult = "No records processed"): Record<string, unknown> {
  const out: Record<string, unknown> = { StartingPosition: p.startingPosition };
  if (p.startingPositionTimestamp !== undefined) out.StartingPositionTimestamp = p.startingPositionTimestamp / 1000;
  return {
    ...out,
    ParallelizationFactor: p.parallelizationFactor,
    BisectBatchOnFunctionError: p.bisectBatchOnFunctionError,
    MaximumRetryAttempts: p.maximumRetryAttempts,
    MaximumRecordAgeInSeconds: p.maximumRecordAgeInSeconds,
    TumblingWindowInSeconds: p.tumblingWindowInSeconds,
    DestinationConfig: { OnFailure: p.onFailureDestination === undefined ? {} : { Destination: p.onFailureDestination } },
    LastProcessingResult: lastProcessingResult,
    StateTransitionReason: "User action",
  };
}
